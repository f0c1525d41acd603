/** One named check of a hot patch and its outcome, as reported by the CLI and the editor. */
export interface PatchCheck {
  name: string;
  passed: boolean;
  detail: string;
}
