// One collector per cluster: a Lambda (inside the cluster's VPC when the cluster is private) run by
// EventBridge Scheduler every snapshot interval, with the scheduled time in its input so a retried
// run writes the same snapshot id and overwrites itself. A cluster with `shards: N` (N > 1) has N
// schedules on the same function, each naming its shard in the input: N runs a minute, each reading
// and storing only its shard's groups under its own run record.
import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { DeployedCluster } from '../../functions/config/app-config.js';
import { collectorTimeoutMs } from '../../functions/config/deployment.js';
import { shardCount } from '../../functions/config/cluster.js';
import { ENV } from '../../functions/config/env.js';
import { METRICS_NAMESPACE } from '../../functions/core/metrics.js';
import { allShards, isWholeCluster, shardLabel, type Shard } from '../../functions/core/shard.js';
import { grantMskRead, grantPutMetrics, grantSecretRead } from './grants.js';
import { LagwatchFunction, type FunctionCode } from './lagwatch-function.js';

/** The event the schedule sends; functions/handlers/collector.ts reads it. */
export interface CollectorScheduleInput {
  readonly cluster: string;
  /** ISO-8601 scheduled time, filled in by EventBridge Scheduler. */
  readonly scheduledTime: string;
  /** Only on the schedules of a sharded cluster: the shard this schedule collects. */
  readonly shard?: Shard;
}

export interface CollectorProps {
  readonly cluster: DeployedCluster;
  /** Config key of this cluster, e.g. `clusters[0]`, for error messages. */
  readonly configKey: string;
  readonly table: dynamodb.ITable;
  readonly snapshotIntervalMs: number;
  /** TTL of snapshot items (the store sets expiresAt from it). */
  readonly snapshotRetentionMs: number;
  readonly code: FunctionCode;
  readonly logRetentionDays: logs.RetentionDays;
}

export class Collector extends Construct {
  readonly cluster: DeployedCluster;
  readonly function: LagwatchFunction;
  /** The first shard's schedule (the only one unless the cluster has `shards` > 1). */
  readonly schedule: scheduler.Schedule;
  /** One per shard, in shard order. */
  readonly schedules: readonly scheduler.Schedule[];
  /** The role EventBridge Scheduler assumes to invoke this collector (one per collector). */
  readonly scheduleRole: iam.Role;
  readonly securityGroup: ec2.SecurityGroup | null = null;

  constructor(scope: Construct, id: string, props: CollectorProps) {
    super(scope, id);
    const { cluster } = props;
    this.cluster = cluster;
    const network = cluster.network;
    let vpcProps: Pick<
      ConstructorParameters<typeof LagwatchFunction>[2],
      'vpc' | 'vpcSubnets' | 'securityGroups'
    > = {};
    if (network !== null) {
      // No lookups: the ids come from the config, so `cdk synth` stays offline.
      const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: network.vpcId,
        availabilityZones: network.subnetIds.map((_, i) => `subnet-az-${i}`),
      });
      const subnets = network.subnetIds.map((subnetId, i) => ec2.Subnet.fromSubnetId(this, `Subnet${i}`, subnetId));
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc,
        description: `lagwatch collector for ${cluster.connection.name}: egress to the brokers and AWS endpoints`,
        allowAllOutbound: true,
      });
      const extra = network.securityGroupIds.map((sgId, i) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, `ExtraSecurityGroup${i}`, sgId, { mutable: false }),
      );
      vpcProps = { vpc, vpcSubnets: { subnets }, securityGroups: [this.securityGroup, ...extra] };
      if (network.createEndpoints) this.addEndpoints(vpc, subnets, network.routeTableIds, cluster.secretArns.length > 0);
    }

    this.function = new LagwatchFunction(this, 'Function', {
      entry: 'functions/handlers/collector.ts',
      description: `lagwatch collector for cluster ${cluster.connection.name}`,
      code: props.code,
      environment: {
        [ENV.clusterConfig]: JSON.stringify(cluster.source),
        [ENV.tableName]: props.table.tableName,
        [ENV.metricsNamespace]: METRICS_NAMESPACE,
        [ENV.snapshotIntervalMs]: String(props.snapshotIntervalMs),
        [ENV.snapshotRetentionMs]: String(props.snapshotRetentionMs),
      },
      // Under the interval, so one run ends before the next begins (the config's timeouts are
      // checked against it at synth: checkDeployConfig).
      timeout: Duration.millis(collectorTimeoutMs(props.snapshotIntervalMs)),
      memorySize: 512,
      logRetentionDays: props.logRetentionDays,
      configKey: props.configKey,
      ...vpcProps,
    });
    const fn = this.function.function;
    // A failed run is not retried by Lambda: the next scheduled run comes within one interval.
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });

    // The collector only writes snapshots and run records.
    props.table.grantWriteData(fn);
    grantPutMetrics(fn);
    for (const arn of cluster.secretArns) grantSecretRead(fn, arn, cluster.secretKeyArns);
    if (cluster.mskClusterArn !== null) grantMskRead(fn, cluster.mskClusterArn);

    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: `lagwatch: lets EventBridge Scheduler invoke the ${cluster.connection.name} collector`,
    });
    // Shard 0 keeps the id `Schedule` (the whole cluster's schedule before sharding), so changing
    // `shards` updates that schedule in place and adds or removes the others.
    this.schedules = allShards(shardCount(cluster.connection)).map((shard) => {
      const whole = isWholeCluster(shard);
      const input: CollectorScheduleInput = {
        cluster: cluster.connection.name,
        scheduledTime: scheduler.ContextAttribute.scheduledTime,
        ...(whole ? {} : { shard }),
      };
      return new scheduler.Schedule(this, shard.index === 0 ? 'Schedule' : `Schedule${shard.index}`, {
        description: `lagwatch: snapshot cluster ${cluster.connection.name}${whole ? '' : ` shard ${shardLabel(shard)}`}`,
        schedule: scheduler.ScheduleExpression.rate(Duration.millis(props.snapshotIntervalMs)),
        target: new targets.LambdaInvoke(fn, {
          input: scheduler.ScheduleTargetInput.fromObject(input),
          role: this.scheduleRole,
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
        }),
      });
    });
    this.schedule = this.schedules[0]!;
  }

  /** The function's CloudFormation logical id (cdk-nag names resources by it in findings). */
  functionLogicalId(): string {
    const cfn = this.function.function.node.defaultChild as lambda.CfnFunction;
    return Stack.of(this).resolve(cfn.logicalId) as string;
  }

  /** Private subnets without NAT reach AWS through endpoints: DynamoDB (gateway, free), CloudWatch
   * metrics and, when a secret is read, Secrets Manager (interface, billed per AZ-hour). */
  private addEndpoints(vpc: ec2.IVpc, subnets: ec2.ISubnet[], routeTableIds: readonly string[], secrets: boolean): void {
    new ec2.CfnVPCEndpoint(this, 'DynamoDbEndpoint', {
      vpcId: vpc.vpcId,
      vpcEndpointType: 'Gateway',
      serviceName: ec2.GatewayVpcEndpointAwsService.DYNAMODB.name,
      routeTableIds: [...routeTableIds],
    });
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'lagwatch: HTTPS from the collector to the interface endpoints',
      allowAllOutbound: false,
    });
    if (this.securityGroup !== null) {
      endpointSg.addIngressRule(this.securityGroup, ec2.Port.tcp(443), 'HTTPS from the lagwatch collector');
    }
    const services: [string, ec2.InterfaceVpcEndpointAwsService][] = [
      ['CloudWatchEndpoint', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
    ];
    if (secrets) services.push(['SecretsManagerEndpoint', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER]);
    for (const [id, service] of services) {
      new ec2.InterfaceVpcEndpoint(this, id, {
        vpc,
        service,
        subnets: { subnets },
        securityGroups: [endpointSg],
        privateDnsEnabled: true,
        open: false,
      });
    }
  }
}
