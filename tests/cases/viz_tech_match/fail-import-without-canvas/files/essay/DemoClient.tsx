import { useFrame } from '@react-three/fiber';
export default function DemoClient() { return <div/>; }
