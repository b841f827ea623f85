/** The parser ships no types; this is the shape it documents (prom2json's). */
declare module "parse-prometheus-text-format" {
  type Metric = { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string };
  export default function parsePrometheusTextFormat(text: string): { name: string; help: string; type: string; metrics: Metric[] }[];
}
