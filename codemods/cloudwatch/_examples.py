"""Embedded examples of alarm-error-rate (shown on the rule page and run as tests)."""

from iacmod.rule import Example

EXAMPLES = (
    Example(
        title='Pulumi: a Lambda `Errors` count becomes an error-rate metric query',
        before="""
            import pulumi_aws as aws

            api_handler = aws.lambda_.Function("api-handler", runtime="python3.12", handler="app.handler",
                                               role=role.arn, code=code)

            errors_alarm = aws.cloudwatch.MetricAlarm(
                "api-handler-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=2,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=300,
                statistic="Sum",
                threshold=5,  # more than 5 errors in 5 minutes
                dimensions={"FunctionName": api_handler.name},
                alarm_actions=[alerts.arn],
            )
            """,
        after="""
            import pulumi_aws as aws

            api_handler = aws.lambda_.Function("api-handler", runtime="python3.12", handler="app.handler",
                                               role=role.arn, code=code)

            errors_alarm = aws.cloudwatch.MetricAlarm(
                "api-handler-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=2,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "Errors",
                            "namespace": "AWS/Lambda",
                            "period": 300,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": api_handler.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "invocations",
                        "metric": {
                            "metric_name": "Invocations",
                            "namespace": "AWS/Lambda",
                            "period": 300,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": api_handler.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
                        "label": "Lambda error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=1.0,  # more than 5 errors in 5 minutes
                alarm_actions=[alerts.arn],
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title='Pulumi: `...Args` classes where the file uses them',
        before="""
            from pulumi_aws import cloudwatch, lambda_

            worker = lambda_.Function(
                "worker",
                runtime="python3.12",
                handler="worker.handler",
                role=role.arn,
                code=code,
                environment=lambda_.FunctionEnvironmentArgs(variables={"STAGE": "prod"}),
            )

            cloudwatch.MetricAlarm(
                "worker-errors",
                comparison_operator="GreaterThanOrEqualToThreshold",
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=60,
                statistic="Sum",
                threshold=1,
                dimensions={"FunctionName": worker.name},
                treat_missing_data="missing",
            )
            """,
        after="""
            from pulumi_aws import cloudwatch, lambda_

            worker = lambda_.Function(
                "worker",
                runtime="python3.12",
                handler="worker.handler",
                role=role.arn,
                code=code,
                environment=lambda_.FunctionEnvironmentArgs(variables={"STAGE": "prod"}),
            )

            cloudwatch.MetricAlarm(
                "worker-errors",
                comparison_operator="GreaterThanOrEqualToThreshold",
                evaluation_periods=1,
                metric_queries=[
                    cloudwatch.MetricAlarmMetricQueryArgs(
                        id="errors",
                        metric=cloudwatch.MetricAlarmMetricQueryMetricArgs(
                            metric_name="Errors",
                            namespace="AWS/Lambda",
                            period=60,
                            stat="Sum",
                            dimensions={"FunctionName": worker.name},
                        ),
                        return_data=False,
                    ),
                    cloudwatch.MetricAlarmMetricQueryArgs(
                        id="invocations",
                        metric=cloudwatch.MetricAlarmMetricQueryMetricArgs(
                            metric_name="Invocations",
                            namespace="AWS/Lambda",
                            period=60,
                            stat="Sum",
                            dimensions={"FunctionName": worker.name},
                        ),
                        return_data=False,
                    ),
                    cloudwatch.MetricAlarmMetricQueryArgs(
                        id="error_rate",
                        expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                        label="Lambda error rate (%)",
                        return_data=True,
                    ),
                ],
                threshold=1.0,
                treat_missing_data="missing",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="CDKTF: `metric_query` with the provider's query classes",
        before="""
            from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm

            CloudwatchMetricAlarm(
                self,
                "ingest-errors",
                alarm_name="ingest-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=3,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=300,
                statistic="Sum",
                threshold=10,
                dimensions={"FunctionName": ingest.function_name},
                alarm_actions=[topic.arn],
            )
            """,
        after="""
            from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm, CloudwatchMetricAlarmMetricQuery, CloudwatchMetricAlarmMetricQueryMetric

            CloudwatchMetricAlarm(
                self,
                "ingest-errors",
                alarm_name="ingest-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=3,
                metric_query=[
                    CloudwatchMetricAlarmMetricQuery(
                        id="errors",
                        metric=CloudwatchMetricAlarmMetricQueryMetric(
                            metric_name="Errors",
                            namespace="AWS/Lambda",
                            period=300,
                            stat="Sum",
                            dimensions={"FunctionName": ingest.function_name},
                        ),
                        return_data=False,
                    ),
                    CloudwatchMetricAlarmMetricQuery(
                        id="invocations",
                        metric=CloudwatchMetricAlarmMetricQueryMetric(
                            metric_name="Invocations",
                            namespace="AWS/Lambda",
                            period=300,
                            stat="Sum",
                            dimensions={"FunctionName": ingest.function_name},
                        ),
                        return_data=False,
                    ),
                    CloudwatchMetricAlarmMetricQuery(
                        id="error_rate",
                        expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                        label="Lambda error rate (%)",
                        return_data=True,
                    ),
                ],
                threshold=1.0,
                alarm_actions=[topic.arn],
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title='API Gateway `5XXError` with `Sum` becomes a rate over `Count`',
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "api-5xx",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="5XXError",
                namespace="AWS/ApiGateway",
                period=60,
                statistic="Sum",
                threshold=0,
                dimensions={"ApiName": api.name, "Stage": stage.stage_name},
            )
            """,
        after="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "api-5xx",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "5XXError",
                            "namespace": "AWS/ApiGateway",
                            "period": 60,
                            "stat": "Sum",
                            "dimensions": {"ApiName": api.name, "Stage": stage.stage_name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "requests",
                        "metric": {
                            "metric_name": "Count",
                            "namespace": "AWS/ApiGateway",
                            "period": 60,
                            "stat": "Sum",
                            "dimensions": {"ApiName": api.name, "Stage": stage.stage_name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(requests > 0, 100 * errors / requests, 0)",
                        "label": "5XX error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=1.0,
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title='the option `threshold-percent`',
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "batch-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=900,
                statistic="Sum",
                threshold=20,
                dimensions={"FunctionName": batch.name},
                treat_missing_data="breaching",
            )
            """,
        after="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "batch-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "Errors",
                            "namespace": "AWS/Lambda",
                            "period": 900,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": batch.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "invocations",
                        "metric": {
                            "metric_name": "Invocations",
                            "namespace": "AWS/Lambda",
                            "period": 900,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": batch.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
                        "label": "Lambda error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=5.0,
                treat_missing_data="breaching",
            )
            """,
        unsafe=True,
        options={'threshold-percent': 5.0},
        findings=1,
    ),
    Example(
        title='a threshold that is not a literal is kept and reported',
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=60,
                statistic="Sum",
                threshold=config.error_threshold,
                dimensions={"FunctionName": fn.name},
            )
            """,
        after="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "Errors",
                            "namespace": "AWS/Lambda",
                            "period": 60,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": fn.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "invocations",
                        "metric": {
                            "metric_name": "Invocations",
                            "namespace": "AWS/Lambda",
                            "period": 60,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": fn.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
                        "label": "Lambda error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=config.error_threshold,
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title='CDK: `Alarm(metric=fn.metric_errors(...))`',
        before="""
            from aws_cdk import Duration, Stack
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_


            class ApiStack(Stack):
                def __init__(self, scope, construct_id, **kwargs):
                    super().__init__(scope, construct_id, **kwargs)
                    self.handler = lambda_.Function(self, "Handler", **HANDLER_PROPS)
                    cloudwatch.Alarm(
                        self,
                        "HandlerErrors",
                        metric=self.handler.metric_errors(period=Duration.minutes(1)),
                        threshold=5,
                        evaluation_periods=3,
                        alarm_description="Handler is failing",
                    )
            """,
        after="""
            from aws_cdk import Duration, Stack
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_


            class ApiStack(Stack):
                def __init__(self, scope, construct_id, **kwargs):
                    super().__init__(scope, construct_id, **kwargs)
                    self.handler = lambda_.Function(self, "Handler", **HANDLER_PROPS)
                    cloudwatch.Alarm(
                        self,
                        "HandlerErrors",
                        metric=cloudwatch.MathExpression(
                            expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                            using_metrics={
                                "errors": self.handler.metric_errors(period=Duration.minutes(1)),
                                "invocations": self.handler.metric_invocations(period=Duration.minutes(1)),
                            },
                            label="Lambda error rate (%)",
                            period=Duration.minutes(1),
                        ),
                        threshold=1.0,
                        evaluation_periods=3,
                        alarm_description="Handler is failing",
                        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                    )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title='CDK: `fn.metric_errors().create_alarm(...)`',
        before="""
            from aws_cdk import aws_lambda as lambda_


            def add_alarm(scope, fn: lambda_.IFunction):
                return fn.metric_errors().create_alarm(scope, "Errors", threshold=1, evaluation_periods=1)
            """,
        after="""
            from aws_cdk import aws_lambda as lambda_
            from aws_cdk.aws_cloudwatch import MathExpression, TreatMissingData


            def add_alarm(scope, fn: lambda_.IFunction):
                return MathExpression(
                    expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                    using_metrics={
                        "errors": fn.metric_errors(),
                        "invocations": fn.metric_invocations(),
                    },
                    label="Lambda error rate (%)",
                ).create_alarm(scope, "Errors", threshold=1.0, evaluation_periods=1, treat_missing_data=TreatMissingData.NOT_BREACHING)
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title='CDK: `cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors", statistic="Sum")`',
        before="""
            from aws_cdk import aws_cloudwatch as cw

            cw.Alarm(
                self,
                "OrdersErrors",
                metric=cw.Metric(
                    namespace="AWS/Lambda",
                    metric_name="Errors",
                    dimensions_map={"FunctionName": "orders"},
                    statistic="Sum",
                    label="Orders errors",
                ),
                threshold=2,
                evaluation_periods=1,
                treat_missing_data=cw.TreatMissingData.IGNORE,
            )
            """,
        after="""
            from aws_cdk import aws_cloudwatch as cw

            cw.Alarm(
                self,
                "OrdersErrors",
                metric=cw.MathExpression(
                    expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                    using_metrics={
                        "errors": cw.Metric(
                            namespace="AWS/Lambda",
                            metric_name="Errors",
                            dimensions_map={"FunctionName": "orders"},
                            statistic="Sum",
                            label="Orders errors",
                        ),
                        "invocations": cw.Metric(
                            namespace="AWS/Lambda",
                            metric_name="Invocations",
                            dimensions_map={"FunctionName": "orders"},
                            statistic="Sum",
                        ),
                    },
                    label="Lambda error rate (%)",
                ),
                threshold=1.0,
                evaluation_periods=1,
                treat_missing_data=cw.TreatMissingData.IGNORE,
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title='absolute by nature, already a rate, custom metrics and metric math stay',
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm("throttles", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                metric_name="Throttles", namespace="AWS/Lambda", period=60, statistic="Sum", threshold=1,
                dimensions={"FunctionName": fn.name})
            aws.cloudwatch.MetricAlarm("dlq", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                metric_name="ApproximateNumberOfMessagesVisible", namespace="AWS/SQS", period=60, statistic="Sum",
                threshold=0, dimensions={"QueueName": dlq.name})
            aws.cloudwatch.MetricAlarm("api-5xx-rate", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                metric_name="5XXError", namespace="AWS/ApiGateway", period=60, statistic="Average", threshold=0.01,
                dimensions={"ApiName": api.name})
            aws.cloudwatch.MetricAlarm("custom", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                metric_name="Errors", namespace="MyApp", period=60, statistic="Sum", threshold=1)
            aws.cloudwatch.MetricAlarm("math", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                threshold=1, metric_queries=[{"id": "e", "expression": "errors", "return_data": True}])
            """,
        findings=0,
    ),
    Example(
        title='CDKTF: concurrency stays',
        before="""
            from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm

            CloudwatchMetricAlarm(
                self,
                "concurrency",
                alarm_name="concurrency",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="ConcurrentExecutions",
                namespace="AWS/Lambda",
                period=60,
                statistic="Maximum",
                threshold=900,
            )
            """,
        findings=0,
    ),
    Example(
        title='CDK: throttles, duration, averages and math expressions stay',
        before="""
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_

            fn = lambda_.Function(scope, "Fn", **props)
            cloudwatch.Alarm(scope, "Throttles", metric=fn.metric_throttles(), threshold=1, evaluation_periods=1)
            cloudwatch.Alarm(scope, "Avg", metric=fn.metric_errors(statistic="Average"), threshold=1, evaluation_periods=1)
            cloudwatch.Alarm(scope, "Dur", metric=fn.metric_duration(), threshold=1000, evaluation_periods=1)
            cloudwatch.Alarm(scope, "M", metric=cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors"), threshold=1, evaluation_periods=1)
            cloudwatch.Alarm(scope, "Rate", metric=cloudwatch.MathExpression(expression="e", using_metrics={"e": fn.metric_errors()}), threshold=1, evaluation_periods=1)
            """,
        findings=0,
    ),
    Example(
        title='reported only: an operator that is not a literal, a receiver that is not provably a Lambda function',
        before="""
            import pulumi_aws as aws
            from aws_cdk import aws_cloudwatch as cloudwatch

            aws.cloudwatch.MetricAlarm(
                "errors",
                comparison_operator=config.operator,
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=60,
                statistic="Sum",
                threshold=1,
            )


            def errors_alarm(scope, target):
                return cloudwatch.Alarm(scope, "Errors", metric=target.metric_errors(), threshold=1, evaluation_periods=1)
            """,
        findings=2,
    ),
)
