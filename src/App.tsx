export function App() {
  return <main>Porthole</main>;
}
