"""nbgrader configuration for this course (nbgrader 0.9).

The solution notebooks in solutions/ use nbgrader's own cell metadata and markers, so an
instructor who runs nbgrader on a JupyterHub can use them unchanged: copy them to
`source/<assignment>/` and run `nbgrader generate_assignment`, `autograde` and
`generate_feedback` as usual. This file sets what the course needs:

- the check cells raise CheckFailed on a failing case (the course's checks are strict under
  NBGRADER_EXECUTION, which nbgrader sets), so a test cell scores all or nothing;
- hidden cases are drawn afresh at every autograde run and never show their sizes or values;
- the training cells of notebooks 07-13 need more than nbgrader's default 30 s per cell;
- the feedback shows the outcome of the hidden tests, not their code.

What nbgrader does not give, and `python -m course grade` does: the sandbox (a private machine
per submission, forbidden libraries absent rather than merely detected, memory and process
limits). nbgrader runs the student's code with the grader's own rights.
"""
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "cnn-course"
c.Execute.timeout = 300  # seconds per cell: the training cells of 07-13
c.Execute.interrupt_on_timeout = True
c.ClearSolutions.code_stub = {
    "python": 'raise NotImplementedError("not done yet: replace this line with your code")'}
c.GenerateFeedback.preprocessors = [ClearHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
c.Autograde.create_student = True
