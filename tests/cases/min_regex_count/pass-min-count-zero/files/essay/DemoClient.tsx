no images
