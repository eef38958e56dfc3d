export const ESSAY_META = { title: 'Demo' };
