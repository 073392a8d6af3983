"""What the Simplified Chinese dialog tests of both GIMPs accept as Latin script: names and
formats, never a translatable English word. Loaded by tests/gimp2/run_case.py on the host and
by tests/gimp3/gimp_cases.py inside the chroot (copied beside it), so both judge alike."""
import re

LATIN_ALLOWED = {"OpenAI", "PNG", "RGB", "API", "OPENAI_API_KEY", "OPENAI_BASE_URL", "Ctrl", "kB",
                 "sk", "GIMP", "URL", "px", "HTTP"}


def english_left(texts):
    """The Latin words in texts that are not names or formats: untranslated English."""
    found = set()
    for line in texts.splitlines():
        line = re.sub(r"https?://\S+|/images/\w+|(?:gpt|chatgpt|dall)-[\w.-]+", " ", line)
        for word in re.findall(r"[A-Za-z_]{2,}", line):
            if word not in LATIN_ALLOWED:
                found.add(word)
    return sorted(found)
