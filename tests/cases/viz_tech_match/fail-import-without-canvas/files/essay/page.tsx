import { ArtifactDetailWrapper } from '@/components/ArtifactDetail';
export const ESSAY_META = {
  title: 'Demo',
  visualizations: [
    { name: 'Globe', type: 'React Three Fiber (WebGL)' }
  ],
};
