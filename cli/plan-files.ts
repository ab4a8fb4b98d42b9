import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  detectFormat,
  type PlanFormat,
  parsePlanDocument,
  readPlanDocument,
} from '../lambdas/domain/plan-document';
import type { Plan } from '../lambdas/schemas/plan.schema';
import { formatIssues, ValidationError, type ValidationIssue } from '../lambdas/schemas/validation';
import { type FileIssue, FileIssuesError } from './issue-printer';
import { locateIssues } from './source-positions';

export type { FileIssue } from './issue-printer';

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

/** A plan file read as the API reads a request body. */
export interface DocumentFile {
  file: string;
  /** The file's text, as it is sent to the API. */
  text: string;
  format: PlanFormat;
  contentType: 'application/json' | 'application/yaml';
  /** The document as data: what the API's `readPlanDocument` makes of the same text. */
  data: unknown;
}

function atStart(issues: readonly ValidationIssue[]): FileIssue[] {
  return issues.map((issue) => ({ ...issue, line: 1, column: 1 }));
}

/** The file's text; throws `FileIssuesError` when it cannot be read. */
async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new FileIssuesError(
      file,
      atStart([{ path: '(root)', message: `cannot read the file: ${reason}` }]),
    );
  }
}

/**
 * Reads a plan document's text through the API's own `readPlanDocument` (size limit, empty file, nesting
 * depth, no YAML aliases), so a file that passes here is one the API reads too. Throws `FileIssuesError`,
 * each problem at its line and column.
 */
export function readDocumentText(file: string, text: string): DocumentFile {
  let format: PlanFormat;
  try {
    format = detectFormat(file);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new FileIssuesError(file, atStart(error.issues));
  }
  try {
    const data = readPlanDocument(text, format);
    const contentType = format === 'json' ? 'application/json' : 'application/yaml';
    return { file, text, format, contentType, data };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new FileIssuesError(file, locateIssues(text, error.issues));
  }
}

/** A YAML or JSON plan file, read as `readDocumentText` reads it; throws `FileIssuesError`. */
export async function readDocumentFile(file: string): Promise<DocumentFile> {
  return readDocumentText(file, await readText(file));
}

function inSourceOrder(issues: FileIssue[]): FileIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

export interface CheckOptions {
  /** The partner plan validator (`loadPartnerPlanValidator()`), looked up once per run. */
  partnerPlan?: PartnerPlanValidator;
}

/** Validates one plan file's text: a deal plan (`CoSellPlan`) or a partner plan (`PartnerPlan`). */
export function checkPlanText(file: string, text: string, options: CheckOptions = {}): FileCheck {
  let document: DocumentFile;
  try {
    document = readDocumentText(file, text);
  } catch (error) {
    if (!(error instanceof FileIssuesError)) throw error;
    return { file, valid: false, issues: inSourceOrder([...error.issues]) };
  }

  const declared = (document.data as { kind?: unknown } | null)?.kind;
  const kind = typeof declared === 'string' ? declared : undefined;
  if (kind === 'PartnerPlan') {
    if (!options.partnerPlan) {
      const issue = {
        path: 'kind',
        message: 'this version of cosell cannot check partner plans (no partner plan schema is installed)',
      };
      return { file, kind, valid: false, issues: locateIssues(text, [issue]) };
    }
    const issues = options.partnerPlan(document.data);
    return { file, kind, valid: issues.length === 0, issues: inSourceOrder(locateIssues(text, issues)) };
  }

  try {
    // The API's own parse of a deal plan, so the verdict here is the API's.
    const plan = parsePlanDocument(text, document.format);
    return { file, kind: 'CoSellPlan', valid: true, issues: [], plan };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return {
      file,
      ...(kind ? { kind } : {}),
      valid: false,
      issues: inSourceOrder(locateIssues(text, error.issues)),
    };
  }
}

/** Reads and validates one file; a file that cannot be read is one issue at its start. */
export async function checkPlanFile(file: string, options: CheckOptions = {}): Promise<FileCheck> {
  let text: string;
  try {
    text = await readText(file);
  } catch (error) {
    if (!(error instanceof FileIssuesError)) throw error;
    return { file, valid: false, issues: [...error.issues] };
  }
  return checkPlanText(file, text, options);
}
