import { IMAGES } from './images';
