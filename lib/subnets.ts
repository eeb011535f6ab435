/**
 * The VPC's subnet groups, selected by name everywhere. By name, not by type: without Flexprice
 * egress the `egress` group is isolated too, and a selection by type would then pick both
 * groups (two subnets per AZ for the endpoint, the database, every function).
 */
import type * as ec2 from 'aws-cdk-lib/aws-ec2';

/** The database, the proxy, the Secrets Manager endpoint and every function but the billing ones. */
export const ISOLATED_SUBNETS: ec2.SubnetSelection = { subnetGroupName: 'isolated' };

/**
 * The billing sync and reconciliation, and the admin reconciliation route when Flexprice egress
 * is on (ApiStack FLEXPRICE_ROUTE_ENTRIES). Behind the NAT gateway when Flexprice egress is on;
 * without it the same subnets exist with no route out, so switching egress off or on never
 * removes a subnet a function sits in or an export another stack imports (docs/deploy.md
 * "Switching a stage").
 */
export const EGRESS_SUBNETS: ec2.SubnetSelection = { subnetGroupName: 'egress' };
