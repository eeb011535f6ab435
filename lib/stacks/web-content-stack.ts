/**
 * The web app's files, deployed LAST (after the API and the user pool): `web/dist` into the
 * WebStack bucket, plus `config.json` written at deploy time from the other stacks' values,
 * and index.html with a second Content-Security-Policy that names the exact API origin.
 *
 * Hashed files under `assets/` are immutable and kept across deploys (a page loaded before a
 * deploy can still fetch its chunks); index.html, config.json and the rest are revalidated
 * on every load (`no-cache`; CloudFront's CachingOptimized policy then holds them ≤ 1 s),
 * so no invalidation is needed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import type { Auth } from '../constructs/auth';
import { cognitoUrls } from '../constructs/cognito-urls';
import { contentSecurityPolicy } from '../constructs/site-headers';
import { type StaticSite, siteBucketName } from '../constructs/static-site';
import { webRuntimeConfig } from '../constructs/web-runtime-config';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag';
import { resolveWebDist } from '../web-build';

export interface WebContentStackProps extends StackProps {
  readonly config: StageConfig;
  /** Where the files go (deployed before this stack). */
  readonly site: StaticSite;
  readonly auth: Auth;
  readonly api: {
    /** Base URL with a trailing `/`. */
    readonly url: string;
    /** `https://<id>.execute-api.<region>.amazonaws.com` */
    readonly origin: string;
  };
  /** The built app (a folder with index.html). @default web/dist, built if missing */
  readonly webDist?: string;
}

/**
 * Adds `<meta http-equiv="Content-Security-Policy">` right after `<head>`'s charset, before
 * any script. Browsers enforce it on top of the header policy, so `connect-src` becomes the
 * intersection: the exact API and Cognito origins.
 */
export function withConnectCsp(html: string, connect: readonly string[]): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy({ connect })
    .split('; ')
    .filter((d) => d.startsWith('connect-src'))
    .join('; ')}">`;
  const anchor = /<meta\s+charset=[^>]*>/i.exec(html) ?? /<head[^>]*>/i.exec(html);
  if (!anchor) throw new Error('web/dist/index.html has no <head>: cannot add the CSP');
  const at = anchor.index + anchor[0].length;
  return `${html.slice(0, at)}${meta}${html.slice(at)}`;
}

export class WebContentStack extends Stack {
  constructor(scope: Construct, id: string, props: WebContentStackProps) {
    super(scope, id, props);
    const { config, site, auth, api } = props;
    // The bucket is addressed by name (no export), so the order is stated explicitly.
    this.addStackDependency(Stack.of(site));
    const dist = resolveWebDist(this, props.webDist);
    const cognito = cognitoUrls(this, config);

    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    // Imported by its fixed name (no export of the ARN to pin WebStack, and a stable IAM resource).
    const bucket = s3.Bucket.fromBucketName(
      this,
      'SiteBucket',
      siteBucketName(config, this.account, this.region),
    );
    const common = { destinationBucket: bucket, logGroup, memoryLimit: 512 };

    const assetsDir = path.join(dist, 'assets');
    const assets = existsSync(assetsDir)
      ? new s3deploy.BucketDeployment(this, 'Assets', {
          ...common,
          sources: [s3deploy.Source.asset(assetsDir)],
          destinationKeyPrefix: 'assets/',
          prune: false,
          cacheControl: [
            s3deploy.CacheControl.setPublic(),
            s3deploy.CacheControl.maxAge(Duration.days(365)),
            s3deploy.CacheControl.immutable(),
          ],
        })
      : undefined;

    const indexHtml = withConnectCsp(readFileSync(path.join(dist, 'index.html'), 'utf8'), [
      api.origin,
      cognito.idpOrigin,
      cognito.managedLoginOrigin,
    ]);
    const runtimeConfig = webRuntimeConfig({
      apiBaseUrl: api.url,
      issuer: auth.issuer,
      clientId: auth.client.userPoolClientId,
      managedLoginUrl: auth.managedLoginUrl,
    });
    const pages = new s3deploy.BucketDeployment(this, 'Pages', {
      ...common,
      sources: [
        s3deploy.Source.asset(dist, { exclude: ['assets', 'assets/**', 'index.html', 'config.json'] }),
        s3deploy.Source.data('index.html', indexHtml),
        s3deploy.Source.jsonData('config.json', runtimeConfig),
      ],
      // Prune stale pages, never the hashed assets of older builds.
      exclude: ['assets/*'],
      cacheControl: [s3deploy.CacheControl.noCache()],
    });
    if (assets) pages.node.addDependency(assets);

    // The deployment function is CDK's (one per stack, shared by both deployments).
    const bucketWrites = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'];
    acknowledge(this, [
      { id: LAMBDA_BASIC_EXECUTION, reason: 'CDK BucketDeployment function: writes its own logs.' },
      ...bucketWrites.map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `CDK BucketDeployment's grants (${action}) on the site bucket and this stack's asset objects only.`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: "Reads the web app's zipped assets from the CDK bootstrap bucket.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${siteBucketName(config, '<AWS::AccountId>', '<AWS::Region>')}/*]`,
        reason: 'Writes and prunes the objects of the site bucket, which holds nothing but the web app.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'CDK BucketDeployment pins its own Python runtime (with the AWS CLI layer); it runs at deploy only.',
      },
    ]);

    new CfnOutput(this, 'WebConfig', {
      value: Stack.of(this).toJsonString(runtimeConfig),
      description: 'The config.json the web app reads',
    });
  }
}
