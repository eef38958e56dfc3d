import { ArtifactDetailWrapper } from '@/components/ArtifactDetail';
export const ESSAY_META = {
  title: 'Demo',
  visualizations: [
    { name: 'Bars', type: 'D3.js bar chart' },
    { name: 'Intro', type: 'CSS animation' }
  ],
};
