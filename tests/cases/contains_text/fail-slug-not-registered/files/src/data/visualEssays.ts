export const ESSAYS = [{ slug: 'other' }];
