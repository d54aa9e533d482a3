// Metrics Insights queries in the synthesized dashboards: every namespace, metric name and label key
// must be in double quotes when it is a reserved keyword (CloudWatch shows a query error otherwise,
// and no emulator parses these queries). The test reads the dashboard body CloudFormation receives,
// parses each query by the documented grammar and fails on any unquoted identifier that is on AWS's
// reserved list — and, stricter, on any unquoted identifier at all (lagwatch quotes every one).
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseAppConfig } from '../../../functions/config/app-config.js';
import { topGroupsQuery } from '../../../infra/constructs/cluster-dashboard.js';
import { buildLagwatchApp } from '../../../infra/build-app.js';
import { exampleConfig } from './fixtures.js';

// From "Reserved keywords", CloudWatch User Guide (docs.aws.amazon.com/AmazonCloudWatch/latest/
// monitoring/cloudwatch-metrics-insights-reserved-keywords.html): the list as far as it could be
// retrieved here (ABORT … CONTENT; it is alphabetical and CLUSTER is on it), plus the query grammar's
// own keywords (documented in "Metrics Insights query components and syntax"), which are reserved by
// the grammar itself: GROUP, ORDER, SCHEMA and the rest.
const AWS_RESERVED_A_TO_C = `ABORT ABORTSESSION ABS ABSOLUTE ACCESS ACCESSIBLE ACCESS_LOCK ACCOUNT ACOS ACOSH ACTION ADD
ADD_MONTHS ADMIN AFTER AGGREGATE ALIAS ALL ALLOCATE ALLOW ALTER ALTERAND AMP ANALYSE ANALYZE AND ANSIDATE ANY ARE ARRAY
ARRAY_AGG ARRAY_EXISTS ARRAY_MAX_CARDINALITY AS ASC ASENSITIVE ASIN ASINH ASSERTION ASSOCIATE ASUTIME ASYMMETRIC AT ATAN
ATAN2 ATANH ATOMIC AUDIT AUTHORIZATION AUX AUXILIARY AVE AVERAGE AVG BACKUP BEFORE BEGIN BEGIN_FRAME BEGIN_PARTITION
BETWEEN BIGINT BINARY BIT BLOB BOOLEAN BOTH BREADTH BREAK BROWSE BT BUFFERPOOL BULK BUT BY BYTE BYTEINT BYTES CALL CALLED
CAPTURE CARDINALITY CASCADE CASCADED CASE CASESPECIFIC CASE_N CAST CATALOG CCSID CD CEIL CEILING CHANGE CHAR CHAR2HEXINT
CHARACTER CHARACTERS CHARACTER_LENGTH CHARS CHAR_LENGTH CHECK CHECKPOINT CLASS CLASSIFIER CLOB CLONE CLOSE CLUSTER
CLUSTERED CM COALESCE COLLATE COLLATION COLLECT COLLECTION COLLID COLUMN COLUMN_VALUE COMMENT COMMIT COMPLETION COMPRESS
COMPUTE CONCAT CONCURRENTLY CONDITION CONNECT CONNECTION CONSTRAINT CONSTRAINTS CONSTRUCTOR CONTAINS CONTAINSTABLE CONTENT`;
const GRAMMAR = 'SELECT FROM SCHEMA WHERE AND OR NOT GROUP BY ORDER ASC DESC LIMIT MAX MIN SUM AVG COUNT STATUS';
const RESERVED = new Set(`${AWS_RESERVED_A_TO_C} ${GRAMMAR}`.split(/\s+/).filter(Boolean));

type Token = { kind: 'word' | 'quoted' | 'string' | 'number' | 'punct'; text: string };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([A-Za-z_][A-Za-z0-9_]*)|(\d+)|(!=|[(),=<>]))/y;
  let match: RegExpExecArray | null;
  while (re.lastIndex < query.length && (match = re.exec(query)) !== null) {
    if (match[1] !== undefined) tokens.push({ kind: 'quoted', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'word', text: match[3] });
    else if (match[4] !== undefined) tokens.push({ kind: 'number', text: match[4] });
    else tokens.push({ kind: 'punct', text: match[5]! });
    if (query.slice(re.lastIndex).trim() === '') break;
  }
  if (query.slice(re.lastIndex).trim() !== '') throw new Error(`cannot tokenize ${query} at ${re.lastIndex}`);
  return tokens;
}

/** The identifiers of a query by the documented grammar:
 * SELECT FN(metric) FROM ns | SCHEMA(ns, key...) [WHERE key op value [AND|OR ...]] [GROUP BY key, ...] [ORDER BY FN() DESC|ASC] [LIMIT n] */
function identifiers(query: string): { role: string; token: Token }[] {
  const t = tokenize(query);
  let i = 0;
  const out: { role: string; token: Token }[] = [];
  const keyword = (word: string) => {
    const token = t[i++];
    if (token?.kind !== 'word' || token.text.toUpperCase() !== word) throw new Error(`expected ${word} at token ${i - 1} in ${query}`);
  };
  const punct = (p: string) => {
    const token = t[i++];
    if (token?.kind !== 'punct' || token.text !== p) throw new Error(`expected ${p} at token ${i - 1} in ${query}`);
  };
  const ident = (role: string) => {
    const token = t[i++];
    if (token === undefined || (token.kind !== 'word' && token.kind !== 'quoted')) throw new Error(`expected ${role} in ${query}`);
    out.push({ role, token });
  };
  const peek = (word: string) => t[i]?.kind === 'word' && t[i]!.text.toUpperCase() === word;
  keyword('SELECT');
  i++; // aggregate function
  punct('(');
  ident('metric name');
  punct(')');
  keyword('FROM');
  if (peek('SCHEMA')) {
    i++;
    punct('(');
    ident('namespace');
    while (t[i]?.text === ',') {
      i++;
      ident('label key');
    }
    punct(')');
  } else ident('namespace');
  if (peek('WHERE')) {
    i++;
    for (;;) {
      ident('label key');
      i++; // operator
      i++; // value
      if (peek('AND') || peek('OR')) i++;
      else break;
    }
  }
  if (peek('GROUP')) {
    i++;
    keyword('BY');
    ident('label key');
    while (t[i]?.text === ',') {
      i++;
      ident('label key');
    }
  }
  return out;
}

function unquotedReserved(query: string): string[] {
  return identifiers(query)
    .filter(({ token }) => token.kind === 'word' && RESERVED.has(token.text.toUpperCase()))
    .map(({ role, token }) => `${role} ${token.text}`);
}

function dashboardQueries(): string[] {
  const { stack } = buildLagwatchApp({ config: parseAppConfig(exampleConfig()), code: 'inline-stub' });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const queries: string[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const body = resource.Properties.DashboardBody;
    const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'REF')).join('');
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value !== null && typeof value === 'object') {
        const expression = (value as { expression?: unknown }).expression;
        if (typeof expression === 'string' && /^\s*SELECT\b/i.test(expression)) queries.push(expression);
        Object.values(value).forEach(visit);
      }
    };
    visit(JSON.parse(text));
  }
  return queries;
}

describe('Metrics Insights queries', { timeout: 120_000 }, () => {
  it('the check itself catches the unquoted label keys of the first release', () => {
    const before = `SELECT MAX(MaxLag) FROM SCHEMA("Lagwatch", Cluster, Group) WHERE Cluster = 'prod' GROUP BY Group ORDER BY MAX() DESC LIMIT 10`;
    expect(unquotedReserved(before)).toEqual(['label key Cluster', 'label key Group', 'label key Cluster', 'label key Group']);
  });

  it('every dashboard query quotes every identifier, so no reserved word is ever bare', () => {
    const queries = dashboardQueries();
    // Two top-10 widgets per cluster, two clusters in the example.
    expect(queries).toHaveLength(4);
    for (const query of queries) {
      expect(unquotedReserved(query), query).toEqual([]);
      const bare = identifiers(query).filter(({ token }) => token.kind !== 'quoted');
      expect(bare, query).toEqual([]);
      expect(identifiers(query).map(({ token }) => token.text)).toEqual(
        expect.arrayContaining(['Lagwatch', 'Cluster', 'Group']),
      );
    }
  });

  it('escapes quotes in a cluster name inside the label value', () => {
    const query = topGroupsQuery('MaxLag', "it's");
    expect(query).toContain(`"Cluster" = 'it\\'s'`);
    expect(identifiers(query).every(({ token }) => token.kind === 'quoted')).toBe(true);
  });
});
