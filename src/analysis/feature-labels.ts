import type { Catalogue } from '../model/catalogue.js';

/** The catalogue's feature labels, by feature name. */
export function featureLabels(catalogue: Catalogue | undefined): Map<string, string> {
  return new Map((catalogue?.features ?? []).flatMap((f) => (f.label ? [[f.name, f.label]] : [])));
}

/** "report_exported" -> "Report Exported", unless the catalogue gives a label. */
export function featureLabel(name: string, labels: ReadonlyMap<string, string>): string {
  return (
    labels.get(name) ??
    name
      .split(/[_\s.:-]+/)
      .filter(Boolean)
      .map((w) => w[0]?.toUpperCase() + w.slice(1))
      .join(' ')
  );
}
