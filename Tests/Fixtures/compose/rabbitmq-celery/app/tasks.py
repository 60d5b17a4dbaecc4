from celery import Celery

app = Celery("tasks")
app.config_from_object("celeryconfig", silent=True)


@app.task
def build_report(report_id: int) -> str:
    return f"report {report_id} built"
