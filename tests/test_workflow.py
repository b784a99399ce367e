"""The GitHub Actions workflow that builds, tests and publishes the book."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.utils import ROOT

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


def test_every_action_is_pinned_to_a_version():
    uses = [step['uses'] for job in ('build', 'deploy') for step in steps(job)
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
