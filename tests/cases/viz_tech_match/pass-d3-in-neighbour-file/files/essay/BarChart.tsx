import * as d3 from 'd3';
import { feature } from 'topojson-client';
export function BarChart() {
  const x = d3.scaleLinear();
  const f = feature(topo, topo.objects.land);
  return <svg />;
}
