/**
 * Hosting for the web app: a private, encrypted S3 bucket read only by CloudFront (origin
 * access control), HTTPS only, security headers on every response, client-side routes served
 * `/index.html`, and access logs (CloudFront and S3) in a separate log bucket.
 *
 * The files themselves are deployed later by WebContentStack: the bucket and the distribution
 * exist before the user pool and the API, which need the site's URL (see lib/stock-consultant.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { acknowledge } from '../nag';
import { contentSecurityPolicy, PERMISSIONS_POLICY } from './site-headers';
import { SPA_FALLBACK_CODE } from './spa-fallback';

export interface StaticSiteProps {
  readonly config: StageConfig;
  /** Origins the page may call besides itself (API, Cognito), for the CSP's `connect-src`. */
  readonly connectSources: readonly string[];
}

/**
 * The site bucket's fixed name, `stockconsultant-<stage>-web-<account>-<region>`, so that
 * WebContentStack can address it without a cross-stack export.
 */
export function siteBucketName(config: StageConfig, account: string, region: string): string {
  return `stockconsultant-${config.stage}-web-${account}-${region}`;
}

export class StaticSite extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly logBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly headers: cloudfront.ResponseHeadersPolicy;
  /** `https://<id>.cloudfront.net/`: where the app lives; also Cognito's redirect URL. */
  public readonly url: string;
  /** `https://<id>.cloudfront.net`: the Origin header the browser sends to the API. */
  public readonly origin: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    const { config } = props;
    const dev = config.stage === 'dev';
    const lifetime = {
      removalPolicy: config.removalPolicy,
      // dev must be destroyable: empty the buckets first (a small CDK-provided function).
      autoDeleteObjects: dev,
    };

    // CloudFront standard logs are delivered with ACLs, so this bucket keeps object-writer
    // ownership (and only this one); nothing in it is ever public.
    this.logBucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(dev ? 14 : 365) }],
      ...lifetime,
    });
    acknowledge(this.logBucket, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' },
    ]);

    const { account, region } = Stack.of(this);
    this.bucket = new s3.Bucket(this, 'Files', {
      bucketName: siteBucketName(config, account, region),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      ...lifetime,
    });

    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: `${config.prefix}-web-headers`,
      comment: 'Stock Consultant web app: CSP, HSTS, no framing, no sniffing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy({ connect: props.connectSources }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: PERMISSIONS_POLICY, override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    const spaFallback = new cloudfront.Function(this, 'SpaFallback', {
      functionName: `${config.prefix}-spa-fallback`,
      comment: 'Client-side routes get /index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(SPA_FALLBACK_CODE),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${config.prefix} web app`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: this.headers,
        functionAssociations: [
          { function: spaFallback, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // PriceClass_100 has no edge in India, where the users are; 200 includes it.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    acknowledge(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'No geo restriction: the service is for Indian investors, who also use it while abroad.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF on static files: nothing here is dynamic; the API has its own throttling. Add a web ACL (us-east-1) when abuse shows up.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot set a minimum TLS version; a custom domain with its own ACM certificate (TLSv1.2_2021) would.',
      },
    ]);

    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;
  }
}
