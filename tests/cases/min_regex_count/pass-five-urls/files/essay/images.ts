export const IMAGES = {
  img0: "https://upload.wikimedia.org/wikipedia/commons/a/a1/Photo_0.jpg",
  img1: "https://upload.wikimedia.org/wikipedia/commons/b/b2/Photo_1.jpg",
  img2: "https://upload.wikimedia.org/wikipedia/commons/c/c3/Photo_2.jpg",
  img3: "https://upload.wikimedia.org/wikipedia/commons/d/d4/Photo_3.jpg",
  img4: "https://upload.wikimedia.org/wikipedia/commons/e/e5/Photo_4.jpg",
} as const;
