export const IMAGES = {} as const;
