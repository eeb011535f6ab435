/**
 * Cognito's public URLs, built from values known before the user pool exists (stage, account,
 * region). The Web stack deploys before the user pool and needs them for its
 * Content-Security-Policy; the Auth construct names its domain with the same function, and a
 * template test ties the two together.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StageConfig } from '../config';

/**
 * The managed-login domain prefix: `stock-consultant-<stage>-<account>`. Prefixes are global
 * per region and may not contain "aws", "amazon" or "cognito"; the account id keeps them unique.
 */
export function managedLoginDomainPrefix(config: StageConfig): string {
  return `stock-consultant-${config.stage}-${Aws.ACCOUNT_ID}`;
}

export interface CognitoUrls {
  /** `https://cognito-idp.<region>.amazonaws.com`: issuer host, OIDC discovery and JWKS. */
  readonly idpOrigin: string;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`: managed login, token, logout endpoints. */
  readonly managedLoginOrigin: string;
}

export function cognitoUrls(scope: IConstruct, config: StageConfig): CognitoUrls {
  const { region } = Stack.of(scope);
  return {
    idpOrigin: `https://cognito-idp.${region}.amazonaws.com`,
    managedLoginOrigin: `https://${managedLoginDomainPrefix(config)}.auth.${region}.amazoncognito.com`,
  };
}

/** The tokens' `iss`: built explicitly, as API Gateway and aws-jwt-verify compare it verbatim. */
export function issuerUrl(scope: IConstruct, userPoolId: string): string {
  return `https://cognito-idp.${Stack.of(scope).region}.amazonaws.com/${userPoolId}`;
}
