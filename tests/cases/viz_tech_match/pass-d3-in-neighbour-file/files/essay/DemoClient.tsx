import { BarChart } from './BarChart';
export default function DemoClient() { return <BarChart />; }
