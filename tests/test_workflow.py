"""The GitHub Actions workflow that builds, tests and publishes the book."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.utils import ROOT
from tools.sphinx import reader_notebooks as reader

WORKFLOW = ROOT / '.github' / 'workflows' / 'book.yml'


def readme_commands():
    """The commands of the README's first shell block, comments dropped."""
    block = re.search(r'```sh\n(.*?)```', (ROOT / 'README.md').read_text(),
                      re.S).group(1)
    return [line.split('#')[0].strip() for line in block.splitlines()
            if line.split('#')[0].strip()]


def steps(job):
    return yaml.safe_load(WORKFLOW.read_text())['jobs'][job]['steps']


def test_the_readme_has_two_commands():
    assert readme_commands() == ['make html', 'make test']


def test_the_workflow_runs_the_readme_commands_in_order():
    runs = [step['run'].strip() for step in steps('build') if 'run' in step]
    assert runs[:2] == readme_commands()


def test_the_workflow_makes_what_ci_makes():
    # .ci/run's targets, each timed; the workflow's steps, with test-compat
    # standing for the three environments it makes.
    ci = re.search(r'^for target in (.*); do$',
                   (ROOT / '.ci' / 'run').read_text(), re.M).group(1).split()
    variables = dict(re.findall(r'^(\w+) := (.*)$',
                                (ROOT / 'Makefile').read_text(), re.M))
    compat = variables['COMPAT'].replace('$(COLAB)',
                                         variables['COLAB']).split()
    made = []
    for step in steps('build'):
        for target in re.findall(r'^make (\S+)$', step.get('run', ''), re.M):
            made += ([f'test-{env}' for env in compat]
                     if target == 'test-compat' else [target])
    assert made[0] == 'html' and sorted(made[1:]) == sorted(ci)


def test_every_action_is_pinned_to_a_version():
    jobs = yaml.safe_load(WORKFLOW.read_text())['jobs']
    uses = [step['uses'] for job in jobs for step in steps(job)
            if 'uses' in step]
    assert uses and all(re.fullmatch(r'[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+', u)
                        for u in uses), uses


def test_pages_are_published_from_the_built_site():
    upload = [s for s in steps('build')
              if s.get('uses', '').startswith('actions/upload-pages-')]
    assert upload and upload[0]['with']['path'] == '_build/html'
    assert any(s.get('uses', '').startswith('actions/deploy-pages@')
               for s in steps('deploy'))


def test_actionlint_passes():
    actionlint = Path(sys.executable).parent / 'actionlint'
    if not actionlint.exists():
        pytest.skip('actionlint is installed in the main environment only')
    result = subprocess.run([str(actionlint), str(WORKFLOW)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_reader_notebooks_go_to_their_branch_of_this_repository():
    build = yaml.safe_load(WORKFLOW.read_text())['jobs']['build']
    # Whichever repository runs the workflow, a fork's too.
    assert build['env']['D2L_REPOSITORY'] == '${{ github.repository }}'
    assert build['env']['D2L_COMMIT'] == '${{ github.sha }}'
    upload = [s for s in steps('build')
              if s.get('uses', '').startswith('actions/upload-artifact@')]
    assert upload[0]['with']['path'] == '_build/html/notebooks'
    name = upload[0]['with']['name']
    download = [s for s in steps('notebooks')
                if s.get('uses', '').startswith('actions/download-artifact')]
    assert download[0]['with']['name'] == name
    push = steps('notebooks')[-1]['run']
    assert '${GITHUB_REPOSITORY}' in push
    assert push.split()[-1] == reader.BRANCH
