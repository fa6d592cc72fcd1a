/**
 * GitHub Actions workflow commands (`::error …::…`), escaped the way the runner unescapes them: `%`, CR and LF in
 * the message; also `:` and `,` in properties, which would otherwise end a property early. Anything a manifest
 * author wrote can reach a message, so without escaping a pull request could inject its own workflow commands.
 */
import type { CfgitopsError } from '../errors.js';
import { secretScrubber } from '../secret.js';

export function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
  col?: number;
}

export function formatAnnotation(a: Annotation): string {
  const props: string[] = [];
  if (a.file !== undefined) props.push(`file=${escapeProperty(a.file)}`);
  if (a.line !== undefined) props.push(`line=${a.line}`);
  if (a.col !== undefined) props.push(`col=${a.col}`);
  if (a.title !== undefined) props.push(`title=${escapeProperty(a.title)}`);
  const head = props.length > 0 ? `::${a.level} ${props.join(',')}` : `::${a.level}`;
  return `${head}::${escapeData(secretScrubber.scrub(a.message))}`;
}

/** One `::error` line per error, positioned at the manifest file:line:col when the error has a location. */
export function errorAnnotation(e: CfgitopsError): string {
  const loc = e.location;
  const pointer = loc?.pointer ? `${loc.pointer}: ` : '';
  return formatAnnotation({
    level: 'error',
    title: e.code,
    message: `${pointer}${e.message}${e.hint ? ` (${e.hint})` : ''}`,
    ...(loc ? { file: loc.file, line: loc.line, col: loc.col } : {}),
  });
}

/** One `::warning` line per plan or validate warning (a guardrail in mode warn or enforce-new), positioned. */
export function warningAnnotation(w: {
  code: string;
  message: string;
  source?: { file: string; line: number; col: number; pointer?: string } | undefined;
}): string {
  const loc = w.source;
  const pointer = loc?.pointer ? `${loc.pointer}: ` : '';
  return formatAnnotation({
    level: 'warning',
    title: w.code,
    message: `${pointer}${w.message}`,
    ...(loc ? { file: loc.file, line: loc.line, col: loc.col } : {}),
  });
}
