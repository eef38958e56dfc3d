export const ESSAYS = [{ slug: 'demo' }];
