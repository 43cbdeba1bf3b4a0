// Normalisation for golden comparisons: p:ActivityId is optional and varies per recording host
// (wsman-protocol.md §2.2); ids and times are replaced by the caller where they differ.
export function stripActivityId(xml: string): string {
  return xml.replace(/<p:ActivityId>[^<]*<\/p:ActivityId>/g, '');
}
