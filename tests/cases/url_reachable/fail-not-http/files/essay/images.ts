export const A = 'ftp://files.example/a.jpg';
