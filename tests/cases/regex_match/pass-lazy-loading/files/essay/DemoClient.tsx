<img src={IMAGES.a} loading='lazy' />
