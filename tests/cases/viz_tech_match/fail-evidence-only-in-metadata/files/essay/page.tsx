import { ArtifactDetailWrapper } from '@/components/ArtifactDetail';
export const ESSAY_META = {
  title: 'Demo',
  visualizations: [
    { name: 'Chart', type: 'Recharts line chart' }
  ],
};
import { LineChart } from 'recharts';
const c = <LineChart />;
