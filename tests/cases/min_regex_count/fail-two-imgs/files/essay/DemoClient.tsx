<img src={IMAGES.a} />
<img
  src={IMAGES.b} />
<image />
