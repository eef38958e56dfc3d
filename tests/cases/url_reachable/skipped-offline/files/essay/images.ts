export const A = 'https://images.esy.com/essays/demo/a.jpg';
