export default function Loading() {
  return (
    <p role="status" className="text-slate-500">
      Loading the fleet…
    </p>
  );
}
