export function Timing({ elapsedMs }: { elapsedMs: number }) {
  return (
    <p className="timing" data-field="elapsed">
      evaluated in {elapsedMs < 10 ? elapsedMs.toFixed(2) : elapsedMs.toFixed(0)} ms
    </p>
  );
}
