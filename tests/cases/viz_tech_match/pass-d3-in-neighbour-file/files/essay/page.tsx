import { ArtifactDetailWrapper } from '@/components/ArtifactDetail';
export const ESSAY_META = {
  title: 'Demo',
  visualizations: [
    { name: 'Bars', type: 'd3 bar chart' },
    { name: 'Map', type: 'TopoJSON + D3 map' }
  ],
};
