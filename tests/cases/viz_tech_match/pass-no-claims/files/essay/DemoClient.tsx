export default function DemoClient() {}
