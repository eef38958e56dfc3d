export function DemoClient() {
  return <h1>Rockets 🚀 and sun ☀</h1>;
}
