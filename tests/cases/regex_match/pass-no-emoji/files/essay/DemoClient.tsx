export function DemoClient() {
  return <h1>Rockets — ē and x?</h1>;
}
