import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTE_THROTTLES, type RouteThrottle } from '../../lambdas/domain/defaults';
import { CosellFunction, type CosellFunctionProps } from './cosell-function';

/** The HTTP API's limits by kind of route: each route is its own bucket of its kind's size. */
export interface HttpApiThrottles {
  /** Public link routes, `/a/{token}` (GET, HEAD, POST each). */
  readonly link: RouteThrottle;
  /** Public deal-room routes, `/room/*` (added with the deal room). */
  readonly room: RouteThrottle;
  /** Operator routes (IAM): the stage's default route settings. */
  readonly ops: RouteThrottle;
}

export interface HttpApiProps {
  /** Environment of the four functions. */
  readonly environment: Record<string, string>;
  /** Added to plans-api's environment only (STATE_MACHINE_ARN). */
  readonly plansApiEnvironment?: Record<string, string>;
  /** @default ROUTE_THROTTLES (lambdas/domain/defaults.ts), from the tenant's settings in the stack */
  readonly throttles?: HttpApiThrottles;
  /** @default RetentionDays.ONE_MONTH (access logs and function logs) */
  readonly logRetention?: logs.RetentionDays;
  /** Overrides for the four functions (memory, timeout). */
  readonly functionProps?: Partial<Omit<CosellFunctionProps, 'handlerName' | 'environment' | 'logRetention'>>;
}

/**
 * The tenant's HTTP API. `/plans`, `/partner-plans` and `/reports` routes (load and read plans, the program
 * view) are for operators and the CLI, signed with SigV4 (IAM); reports and one-pagers have their own
 * read-only function, `reports-api`. `/a/{token}` is public: the people on a deal click links in email and never log in; the
 * signed, expiring, single-use token in the path is the authorization, checked by `action-link`. `/room/{token}`
 * is public too: the deal room's signed view links, served by `deal-room` (read-only, item-level grants).
 */
export class HttpApi extends Construct {
  public readonly httpApi: apigw.HttpApi;
  public readonly stage: apigw.HttpStage;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly plansApiFunction: CosellFunction;
  public readonly actionLinkFunction: CosellFunction;
  /** The deal room, `GET|HEAD /room/{token}` (public, read-only). */
  public readonly dealRoomFunction: CosellFunction;
  /** The program report and the plan one-pager (read-only). */
  public readonly reportsApiFunction: CosellFunction;
  /**
   * Routes signed with IAM: POST/GET /plans, GET /plans/{planId}, GET /plans/{planId}/schedule,
   * PUT/GET /partner-plans (plans-api); GET /reports/program[.html|.csv], GET /plans/{planId}/one-pager
   * (reports-api).
   */
  public readonly operatorRoutes: apigw.HttpRoute[];
  /** Public routes: GET/HEAD/POST /a/{token}. */
  public readonly actionLinkRoutes: apigw.HttpRoute[];
  /** Public routes: GET/HEAD /room/{token} (the deal room's view links). */
  public readonly roomRoutes: apigw.HttpRoute[];
  /** The limits in force, by kind of route. */
  public readonly throttles: HttpApiThrottles;
  /** Route key -> its own limits (the public routes); every other route has the stage default (ops). */
  private readonly routeSettings: Record<string, RouteThrottle> = {};

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.throttles = props.throttles ?? ROUTE_THROTTLES;

    this.plansApiFunction = new CosellFunction(this, 'PlansApiFunction', {
      ...props.functionProps,
      handlerName: 'plans-api',
      environment: { ...props.environment, ...props.plansApiEnvironment },
      logRetention: retention,
    });
    // Reading every deal for a report takes longer than one deal's request: more memory, more time.
    this.reportsApiFunction = new CosellFunction(this, 'ReportsApiFunction', {
      memorySize: 512,
      timeout: Duration.seconds(29),
      ...props.functionProps,
      handlerName: 'reports-api',
      environment: props.environment,
      logRetention: retention,
    });
    this.actionLinkFunction = new CosellFunction(this, 'ActionLinkFunction', {
      ...props.functionProps,
      handlerName: 'action-link',
      environment: props.environment,
      logRetention: retention,
    });
    // Its own function rather than action-link's: the room reads only, so its role holds no write, SES or
    // workflow grant, and action-link's bundle carries none of the room's pages (the bundle budget).
    this.dealRoomFunction = new CosellFunction(this, 'DealRoomFunction', {
      ...props.functionProps,
      handlerName: 'deal-room',
      environment: props.environment,
      logRetention: retention,
    });

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Cosell Flow: plans (IAM) and action links (public, token-authorized)',
      createDefaultStage: false,
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // The default route settings: every operator route its own bucket of this size.
      throttle: this.throttles.ops,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        // The route key, never the path: the path of /a/{token} is a bearer credential.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            caller: '$context.identity.caller',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const plansIntegration = new HttpLambdaIntegration('PlansApi', this.plansApiFunction.lambdaFunction);
    const reportsIntegration = new HttpLambdaIntegration(
      'ReportsApi',
      this.reportsApiFunction.lambdaFunction,
    );
    const iamAuthorizer = new HttpIamAuthorizer();
    this.operatorRoutes = [
      ...this.httpApi.addRoutes({
        path: '/plans',
        methods: [apigw.HttpMethod.POST, apigw.HttpMethod.GET],
        integration: plansIntegration,
        authorizer: iamAuthorizer,
      }),
      ...this.httpApi.addRoutes({
        path: '/plans/{planId}',
        methods: [apigw.HttpMethod.GET, apigw.HttpMethod.PUT],
        integration: plansIntegration,
        authorizer: iamAuthorizer,
      }),
      // The living plan: close at any stage, and the deal's append-only history.
      ...this.httpApi.addRoutes({
        path: '/plans/{planId}/close',
        methods: [apigw.HttpMethod.POST],
        integration: plansIntegration,
        authorizer: iamAuthorizer,
      }),
      ...this.httpApi.addRoutes({
        path: '/plans/{planId}/history',
        methods: [apigw.HttpMethod.GET],
        integration: plansIntegration,
        authorizer: iamAuthorizer,
      }),
      // Who will be sent what, and when, if nothing happens: for ops to check a plan before it goes live.
      ...this.httpApi.addRoutes({
        path: '/plans/{planId}/schedule',
        methods: [apigw.HttpMethod.GET],
        integration: plansIntegration,
        authorizer: iamAuthorizer,
      }),
      // After a fix, try again what a deal needed attention for (`cosell plan retry ID`).
      ...this.httpApi.addRoutes({
        path: '/plans/{planId}/retry',
        methods: [apigw.HttpMethod.POST],
        integration: plansIntegration,
        authorizer: iamAuthorizer,
      }),
      // A view link to a deal's room for its vendor owner (`cosell plan room ID`).
      ...this.httpApi.addRoutes({
        path: '/plans/{planId}/room-link',
        methods: [apigw.HttpMethod.POST],
        integration: plansIntegration,
        authorizer: iamAuthorizer,
      }),
      ...this.httpApi.addRoutes({
        path: '/partner-plans',
        methods: [apigw.HttpMethod.PUT, apigw.HttpMethod.GET],
        integration: plansIntegration,
        authorizer: iamAuthorizer,
      }),
      ...[
        '/reports/program',
        '/reports/program.html',
        '/reports/program.csv',
        '/plans/{planId}/one-pager',
      ].flatMap((path) =>
        this.httpApi.addRoutes({
          path,
          methods: [apigw.HttpMethod.GET],
          integration: reportsIntegration,
          authorizer: iamAuthorizer,
        }),
      ),
    ];

    const actionLinkIntegration = new HttpLambdaIntegration(
      'ActionLink',
      this.actionLinkFunction.lambdaFunction,
    );
    this.actionLinkRoutes = this.addPublicRoutes(
      {
        path: '/a/{token}',
        methods: [apigw.HttpMethod.GET, apigw.HttpMethod.HEAD, apigw.HttpMethod.POST],
        integration: actionLinkIntegration,
      },
      this.throttles.link,
    );
    // The deal room: read-only view links, served by deal-room (it holds the link key and reads one deal).
    this.roomRoutes = this.addPublicRoutes(
      {
        path: '/room/{token}',
        methods: [apigw.HttpMethod.GET, apigw.HttpMethod.HEAD],
        integration: new HttpLambdaIntegration('DealRoom', this.dealRoomFunction.lambdaFunction),
      },
      this.throttles.room,
    );

    for (const route of [...this.actionLinkRoutes, ...this.roomRoutes]) {
      Validations.of(route).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Action links are opened from email by people who never log in; the HMAC-signed, expiring, ' +
            'single-use token in the path is the authorization, verified by the action-link function (the ' +
            'deal room: the signed, expiring view token, verified by the deal-room function).',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'No user pool by design: the signed link token authorizes the request (see APIG4).',
        },
      );
    }
    for (const route of this.operatorRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'Operator and CLI routes are authorized with IAM (SigV4) instead of a Cognito user pool.',
      });
    }
  }

  /**
   * Public routes (no authorizer) with their own per-route limits, apart from the operator routes: one
   * client sending junk tokens exhausts only its route's bucket. The deal room adds `/room/*` with
   * `throttles.room`.
   */
  public addPublicRoutes(options: apigw.AddRoutesOptions, limits: RouteThrottle): apigw.HttpRoute[] {
    const routes = this.httpApi.addRoutes(options);
    const stage = this.stage.node.defaultChild as apigw.CfnStage;
    for (const route of routes) {
      const key = (route.node.defaultChild as apigw.CfnRoute).routeKey;
      this.routeSettings[key] = limits;
      // Route settings name a route by its key: the route must exist before the stage names it.
      stage.node.addDependency(route);
    }
    // A JSON property: CloudFormation's own (PascalCase) member names.
    stage.routeSettings = Object.fromEntries(
      Object.entries(this.routeSettings).map(([key, limit]) => [
        key,
        { ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit },
      ]),
    );
    return routes;
  }

  /** The stage's invoke URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/ */
  public get url(): string {
    return this.stage.url;
  }
}
