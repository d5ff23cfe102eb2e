/**
 * Workflows as data: a workflow is a table of steps (steps.ts); the registrar (registrar.ts) derives its routes, its
 * "what can I do next" list, its page forms and its access-matrix rows. docs/adding-a-workflow-step.md.
 */
export { decide, leadsFrom, stepNamed, type GuardFailure, type Step, type StepField, type StepForm, type Verdict, type Workflow } from './steps';
export { fieldErrors, mountApiSteps, mountPageSteps, requireTick, nextSteps, stepForms, stepRoutes, type NextStep, type StepFormModel, type StepRoute, type StepRunner } from './registrar';
