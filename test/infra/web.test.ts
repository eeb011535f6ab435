/**
 * The web app in AWS: private bucket behind CloudFront (OAC, HTTPS only, strict headers, SPA
 * routes), its files and a deploy-time config.json, and the stack order that avoids a cycle.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SPA_FALLBACK_CODE } from '../../lib/constructs/spa-fallback';
import { withConnectCsp } from '../../lib/stacks/web-content-stack';
import { resolveWebDist } from '../../lib/web-build';
import { render, resourcesOf, type Synthed, synthApp, TEST_INDEX_HTML } from './helpers';

// Synthesized while collecting (as in the other infra tests): the first synth is slow.
const dev = synthApp('dev');
const prod = synthApp('prod');

const one = (s: Synthed, stack: 'web' | 'webContent' | 'api', type: string) => {
  const found = resourcesOf(s.templates[stack], type);
  expect(found).toHaveLength(1);
  return (found[0]?.[1].Properties ?? {}) as Record<string, unknown>;
};

function headersPolicy(s: Synthed) {
  const config = one(s, 'web', 'AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig as {
    SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    CustomHeadersConfig: { Items: { Header: string; Value: string }[] };
  };
  const csp = render(config.SecurityHeadersConfig.ContentSecurityPolicy?.ContentSecurityPolicy);
  return { security: config.SecurityHeadersConfig, custom: config.CustomHeadersConfig.Items, csp };
}

/** The statements of a bucket policy resource. */
const statements = (policy?: { Properties?: Record<string, unknown> }) =>
  ((policy?.Properties?.PolicyDocument ?? { Statement: [] }) as { Statement: Record<string, unknown>[] })
    .Statement;

/** A directive of a CSP as a list of sources. */
const directive = (csp: string, name: string) =>
  csp
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name)
    ?.slice(1);

/** The files the Pages deployment uploads, read from the staged assets, markers resolved. */
function deployedPage(s: Synthed, file: string): string {
  const [[, pages] = ['', undefined]] = resourcesOf(
    s.templates.webContent,
    'Custom::CDKBucketDeployment',
  ).filter(([id]) => id.startsWith('Pages'));
  const keys = pages?.Properties?.SourceObjectKeys as string[];
  const markers = pages?.Properties?.SourceMarkers as Record<string, unknown>[];
  for (const [i, key] of keys.entries()) {
    const staged = path.join(s.app.outdir, `asset.${key.replace(/\.zip$/, '')}`, file);
    if (!existsSync(staged)) continue;
    let text = readFileSync(staged, 'utf8');
    for (const [marker, value] of Object.entries(markers[i] ?? {}))
      text = text.split(marker).join(render(value));
    return text;
  }
  throw new Error(`${file} is not among the deployed sources`);
}

describe('web hosting (WebStack)', () => {
  for (const [stage, s] of [
    ['dev', dev],
    ['prod', prod],
  ] as const) {
    it(`${stage}: the files bucket is private, encrypted, TLS-only and logged`, () => {
      const buckets = resourcesOf(s.templates.web, 'AWS::S3::Bucket');
      expect(buckets).toHaveLength(2); // files + access logs
      for (const [, bucket] of buckets) {
        expect(bucket.Properties).toMatchObject({
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
        });
      }
      s.templates.web.hasResourceProperties('AWS::S3::Bucket', {
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('SiteLogs') },
          LogFilePrefix: 's3/',
        },
      });
      for (const [, policy] of resourcesOf(s.templates.web, 'AWS::S3::BucketPolicy')) {
        expect(statements(policy)).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });

    it(`${stage}: only this distribution may read the files (origin access control)`, () => {
      const [[, policy] = ['', undefined]] = resourcesOf(s.templates.web, 'AWS::S3::BucketPolicy').filter(
        ([id]) => id.startsWith('SiteFiles'),
      );
      const reads = statements(policy).filter(
        (st) => st.Effect === 'Allow' && [st.Action].flat().includes('s3:GetObject'),
      );
      expect(reads).toHaveLength(1);
      expect(reads[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(
        render(
          (reads[0]?.Condition as Record<string, Record<string, unknown>> | undefined)?.StringEquals?.[
            'AWS:SourceArn'
          ],
        ),
      ).toMatch(/:distribution\/<SiteDistribution\w+>$/);
      s.templates.web.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: Match.objectLike({ SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
      });
      const config = one(s, 'web', 'AWS::CloudFront::Distribution').DistributionConfig as Record<
        string,
        unknown
      >;
      expect(config.Origins).toEqual([
        expect.objectContaining({
          OriginAccessControlId: expect.anything(),
          S3OriginConfig: { OriginAccessIdentity: '' },
        }),
      ]);
    });

    it(`${stage}: HTTPS only, index.html at the root, client-side routes rewritten, access logs`, () => {
      const config = one(s, 'web', 'AWS::CloudFront::Distribution').DistributionConfig as Record<
        string,
        unknown
      >;
      expect(config).toMatchObject({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: {
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          ResponseHeadersPolicyId: { Ref: expect.stringMatching(/SiteHeaders/) },
          FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: expect.anything() }],
        },
        Logging: {
          Bucket: { 'Fn::GetAtt': [expect.stringMatching(/SiteLogs/), 'RegionalDomainName'] },
          Prefix: 'cloudfront/',
        },
        PriceClass: 'PriceClass_200',
      });
      expect(one(s, 'web', 'AWS::CloudFront::Function').FunctionCode).toBe(SPA_FALLBACK_CODE);
    });

    it(`${stage}: a strict CSP (no inline script) and the other security headers`, () => {
      const { security, custom, csp } = headersPolicy(s);
      for (const name of ['default-src', 'script-src', 'style-src'])
        expect(directive(csp, name)).toEqual(["'self'"]);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*(?!\.execute-api)/);
      expect(directive(csp, 'frame-ancestors')).toEqual(["'none'"]);
      expect(directive(csp, 'object-src')).toEqual(["'none'"]);
      expect(directive(csp, 'connect-src')).toEqual([
        "'self'",
        'https://*.execute-api.<AWS::Region>.amazonaws.com',
        'https://cognito-idp.<AWS::Region>.amazonaws.com',
        `https://stock-consultant-${stage}-<AWS::AccountId>.auth.<AWS::Region>.amazoncognito.com`,
      ]);
      expect(security).toMatchObject({
        StrictTransportSecurity: {
          AccessControlMaxAgeSec: expect.any(Number),
          IncludeSubdomains: true,
          Override: true,
        },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      });
      expect((security.StrictTransportSecurity?.AccessControlMaxAgeSec as number) >= 31_536_000).toBe(true);
      expect(custom.map((h) => h.Header)).toEqual(['Permissions-Policy', 'Cross-Origin-Opener-Policy']);
    });

    it(`${stage}: the CSP names the same managed-login domain the user pool gets`, () => {
      const domain = render(one(s, 'api', 'AWS::Cognito::UserPoolDomain').Domain);
      expect(directive(headersPolicy(s).csp, 'connect-src')).toContain(
        `https://${domain}.auth.<AWS::Region>.amazoncognito.com`,
      );
    });
  }

  it('prod keeps the buckets on delete; dev empties and deletes them', () => {
    for (const [, bucket] of resourcesOf(prod.templates.web, 'AWS::S3::Bucket'))
      expect(bucket.DeletionPolicy).toBe('Retain');
    expect(resourcesOf(prod.templates.web, 'Custom::S3AutoDeleteObjects')).toHaveLength(0);
    for (const [, bucket] of resourcesOf(dev.templates.web, 'AWS::S3::Bucket'))
      expect(bucket.DeletionPolicy).toBe('Delete');
    expect(resourcesOf(dev.templates.web, 'Custom::S3AutoDeleteObjects')).toHaveLength(2);
  });
});

describe('SPA fallback (CloudFront Function code)', () => {
  const handler = new Function(`${SPA_FALLBACK_CODE}; return handler;`)() as (e: unknown) => { uri: string };
  const route = (uri: string) => handler({ request: { uri, headers: {} } }).uri;

  it('serves index.html for client-side routes and the root', () => {
    expect(route('/')).toBe('/index.html');
    expect(route('/history')).toBe('/index.html');
    expect(route('/analyses/0b7c')).toBe('/index.html');
    expect(route('/keys/')).toBe('/index.html');
  });

  it('leaves files alone, so a missing asset is an error, not HTML', () => {
    expect(route('/assets/app-1a2b.js')).toBe('/assets/app-1a2b.js');
    expect(route('/config.json')).toBe('/config.json');
    expect(route('/favicon.svg')).toBe('/favicon.svg');
  });
});

describe('web files and config.json (WebContentStack)', () => {
  for (const [stage, s] of [
    ['dev', dev],
    ['prod', prod],
  ] as const) {
    it(`${stage}: config.json tells the app the API, the issuer, its client, scopes and logout endpoint`, () => {
      const config = JSON.parse(deployedPage(s, 'config.json'));
      const imported = (what: string) =>
        expect.stringMatching(new RegExp(`<import:StockConsultant-${stage}-${what}`));
      expect(config).toEqual({
        apiBaseUrl: expect.stringMatching(
          /^https:\/\/<import:[^>]*HttpApi[^>]*>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/$/,
        ),
        authority: expect.stringMatching(
          /^https:\/\/cognito-idp\.<AWS::Region>\.amazonaws\.com\/<import:[^>]*UserPool[^>]*>$/,
        ),
        clientId: imported('Api:.*WebClient'),
        scope: 'openid email aws.cognito.signin.user.admin',
        logoutUrl: `https://stock-consultant-${stage}-<AWS::AccountId>.auth.<AWS::Region>.amazoncognito.com/logout`,
      });
    });

    it(`${stage}: index.html pins connect-src to the exact API origin, before any script`, () => {
      const html = deployedPage(s, 'index.html');
      const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
      expect(meta?.index).toBeLessThan(html.indexOf('<script'));
      expect(directive(meta?.[1] ?? '', 'connect-src')).toEqual([
        "'self'",
        expect.stringMatching(/^<import:StockConsultant-\w+-Api:[^>]*HttpApi\w*ApiEndpoint\w*>$/),
        'https://cognito-idp.<AWS::Region>.amazonaws.com',
        `https://stock-consultant-${stage}-<AWS::AccountId>.auth.<AWS::Region>.amazoncognito.com`,
      ]);
      expect(html.replace(meta?.[0] ?? '', '')).toBe(TEST_INDEX_HTML);
    });
  }

  it('caches hashed assets for a year and keeps old ones; pages and config.json are revalidated', () => {
    const deployments = Object.fromEntries(
      resourcesOf(prod.templates.webContent, 'Custom::CDKBucketDeployment').map(([id, r]) => [
        id.replace(/Custom.*/, ''),
        r,
      ]),
    );
    expect(deployments.Assets?.Properties).toMatchObject({
      DestinationBucketKeyPrefix: 'assets/',
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(deployments.Pages?.Properties).toMatchObject({
      Prune: true,
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    expect(render(deployments.Pages?.Properties?.DestinationBucketName)).toBe(
      'stockconsultant-prod-web-<AWS::AccountId>-<AWS::Region>',
    );
    expect(deployments.Pages?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Assets/)]));
  });

  it('its deployment function logs with a retention', () => {
    prod.templates.webContent.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    prod.templates.webContent.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('DeployLogs') } },
    });
  });
});

describe('deploy order', () => {
  it('Web first, then Api (redirect URLs, CORS), then WebContent (config.json); no cycle', () => {
    const { web, api, webContent, data } = dev;
    expect(web.dependencies).toEqual([]);
    expect(api.dependencies).toEqual(expect.arrayContaining([web, data]));
    expect(webContent.dependencies).toEqual(expect.arrayContaining([web, api]));
    const all = [dev.data, dev.ingest, dev.api, dev.billing, dev.observability, web];
    for (const stack of all) expect(stack.dependencies).not.toContain(webContent);
  });
});

describe('finding the built app', () => {
  const stack = (bundle: boolean) =>
    new Stack(new App({ context: { 'aws:cdk:bundling-stacks': bundle ? ['**'] : [] } }), 'S');

  it('uses a placeholder page when the stack is not being bundled (unit tests, other stacks)', () => {
    const dir = resolveWebDist(stack(false), '/nonexistent/web/dist', () => false);
    expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).toMatch(/<head>/);
  });

  it('builds a missing app, and names the command when the build fails', () => {
    expect(() => resolveWebDist(stack(true), '/nonexistent/web/dist', () => false)).toThrow(
      /npm run web:build/,
    );
    expect(() => resolveWebDist(stack(true), '/nonexistent/web/dist', undefined)).toThrow(
      /build the web app first/,
    );
  });

  it('adds the meta CSP after the charset, and refuses a page without <head>', () => {
    const html = withConnectCsp(TEST_INDEX_HTML, ['https://api.example']);
    expect(html).toMatch(
      /<meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="connect-src 'self' https:\/\/api\.example">/,
    );
    expect(() => withConnectCsp('<html><body></body></html>', [])).toThrow(/no <head>/);
  });
});
