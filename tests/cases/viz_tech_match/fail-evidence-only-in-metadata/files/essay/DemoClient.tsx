export default function DemoClient() { return null; }
