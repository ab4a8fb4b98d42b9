import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CORE_SCHEMA, load } from 'js-yaml';
import { detectFormat, type PlanFormat, parsePlanDocument } from '../lambdas/domain/plan-document';
import type { Plan } from '../lambdas/schemas/plan.schema';
import { formatIssues, ValidationError, type ValidationIssue } from '../lambdas/schemas/validation';
import { parseIssuePath, SourceLocator } from './source-positions';

/** One problem in one file, with where it is. */
export interface FileIssue extends ValidationIssue {
  line: number;
  column: number;
}

export interface FileCheck {
  file: string;
  /** `CoSellPlan`, `PartnerPlan`, or what the file says (undefined when it cannot be read). */
  kind?: string;
  valid: boolean;
  issues: FileIssue[];
  /** The validated deal plan, when the file is a valid `CoSellPlan`. */
  plan?: Plan;
}

/** Validates a parsed partner plan document; undefined when this version has no partner plan schema. */
export type PartnerPlanValidator = (data: unknown) => ValidationIssue[];

export const PARTNER_PLAN_SCHEMA_FILE = resolve(
  import.meta.dirname,
  '../lambdas/schemas/partner-plan.schema.ts',
);

interface SafeParser {
  safeParse(data: unknown): { success: boolean; error?: { issues: readonly unknown[] } };
}

function isSafeParser(value: unknown): value is SafeParser {
  return typeof (value as SafeParser | undefined)?.safeParse === 'function';
}

/**
 * The partner plan schema, when `lambdas/schemas/partner-plan.schema.ts` exists. Imported at run time, so
 * the CLI builds and runs without it: a `kind: PartnerPlan` file is then reported as not checkable.
 */
export async function loadPartnerPlanValidator(
  file = PARTNER_PLAN_SCHEMA_FILE,
): Promise<PartnerPlanValidator | undefined> {
  if (!existsSync(file)) return undefined;
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const entries = Object.entries(module).filter(([, value]) => isSafeParser(value));
  const schema =
    entries.find(([name]) => name === 'partnerPlanSchema')?.[1] ??
    entries.find(([name]) => /partner.?plan/i.test(name))?.[1];
  if (!isSafeParser(schema)) return undefined;
  return (data) => {
    const result = schema.safeParse(data);
    return result.success ? [] : formatIssues(result.error as Parameters<typeof formatIssues>[0]);
  };
}

export { detectFormat, type PlanFormat } from '../lambdas/domain/plan-document';

/** A YAML or JSON document file with the content type to send it as; throws with the reason it can't be read. */
export async function readDocumentFile(file: string): Promise<{ text: string; contentType: string }> {
  try {
    const contentType = detectFormat(file) === 'json' ? 'application/json' : 'application/yaml';
    return { text: await readFile(file, 'utf8'), contentType };
  } catch (error) {
    const reason = error instanceof ValidationError ? error.issues[0]?.message : (error as Error).message;
    throw new Error(`${file}: ${reason}`);
  }
}
export { ValidationError } from '../lambdas/schemas/validation';

/** The document as data, parsed as the product parses it (YAML core schema, no aliases); throws if it does not parse. */
export function parseData(text: string, format: PlanFormat): unknown {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return format === 'json' ? JSON.parse(source) : load(source, { schema: CORE_SCHEMA, maxAliases: 0 });
}

/** The document's `kind`; undefined if it does not parse. */
function kindOf(text: string, format: PlanFormat): string | undefined {
  try {
    const data = parseData(text, format);
    const kind = (data as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' ? kind : undefined;
  } catch {
    return undefined;
  }
}

function withPositions(text: string, issues: readonly ValidationIssue[]): FileIssue[] {
  const locator = new SourceLocator(text.startsWith('\uFEFF') ? text.slice(1) : text);
  return issues
    .map((issue) => ({ ...issue, ...locator.locate(parseIssuePath(issue.path), issue.message) }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

export interface CheckOptions {
  /** The partner plan validator (`loadPartnerPlanValidator()`), looked up once per run. */
  partnerPlan?: PartnerPlanValidator;
}

/** Validates one plan file's text: a deal plan (`CoSellPlan`) or a partner plan (`PartnerPlan`). */
export function checkPlanText(file: string, text: string, options: CheckOptions = {}): FileCheck {
  let format: PlanFormat;
  try {
    format = detectFormat(file);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { file, valid: false, issues: withPositions('', error.issues) };
  }

  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const kind = kindOf(source, format);
  if (kind === 'PartnerPlan') {
    if (!options.partnerPlan) {
      const issue = {
        path: 'kind',
        message: 'this version of cosell cannot check partner plans (no partner plan schema is installed)',
      };
      return { file, kind, valid: false, issues: withPositions(text, [issue]) };
    }
    const data =
      format === 'json' ? JSON.parse(source) : load(source, { schema: CORE_SCHEMA, maxAliases: 0 });
    const issues = options.partnerPlan(data);
    return { file, kind, valid: issues.length === 0, issues: withPositions(text, issues) };
  }

  try {
    const plan = parsePlanDocument(text, format);
    return { file, kind: 'CoSellPlan', valid: true, issues: [], plan };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { file, ...(kind ? { kind } : {}), valid: false, issues: withPositions(text, error.issues) };
  }
}

/** Reads and validates one file; a file that cannot be read is one issue at its start. */
export async function checkPlanFile(file: string, options: CheckOptions = {}): Promise<FileCheck> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return {
      file,
      valid: false,
      issues: [{ path: '(root)', message: `cannot read the file: ${reason}`, line: 1, column: 1 }],
    };
  }
  return checkPlanText(file, text, options);
}

/** `FILE:LINE:COL  path  message`, one line per issue (the form editors and CI annotate from). */
export function formatFileIssues(check: FileCheck): string[] {
  return check.issues.map(
    (issue) => `${check.file}:${issue.line}:${issue.column}  ${issue.path}  ${issue.message}`,
  );
}
