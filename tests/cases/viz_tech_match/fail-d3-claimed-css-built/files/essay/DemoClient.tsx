export default function DemoClient() {
  return <div style={{ width: `${p}%` }} />;
}
