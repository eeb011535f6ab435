/**
 * The web app's hosting (S3 + CloudFront), deployed FIRST: the user pool's redirect URLs and
 * the API's CORS origin are this distribution's URL, so it must exist before them. The files
 * and their `config.json` come later, from WebContentStack, once the API and Cognito exist.
 *
 * The API's id is not known yet when this stack deploys, so the header CSP allows the region's
 * execute-api hosts; the exact API origin is pinned by a second CSP in index.html (written by
 * WebContentStack), and browsers enforce both.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { cognitoUrls } from '../constructs/cognito-urls';
import { StaticSite } from '../constructs/static-site';

export interface WebStackProps extends StackProps {
  readonly config: StageConfig;
}

export class WebStack extends Stack {
  public readonly site: StaticSite;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config } = props;
    const cognito = cognitoUrls(this, config);
    this.site = new StaticSite(this, 'Site', {
      config,
      connectSources: [
        `https://*.execute-api.${this.region}.amazonaws.com`,
        cognito.idpOrigin,
        cognito.managedLoginOrigin,
      ],
    });
    new CfnOutput(this, 'WebUrl', { value: this.site.url, description: 'The web app' });
    new CfnOutput(this, 'WebBucketName', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId });
  }
}
