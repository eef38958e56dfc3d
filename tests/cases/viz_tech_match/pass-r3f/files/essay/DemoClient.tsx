'use client';
import { Canvas } from '@react-three/fiber';
import { OrbitControls } from '@react-three/drei';
export default function DemoClient() {
  return <Canvas><OrbitControls /></Canvas>;
}
