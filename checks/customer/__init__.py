"""Customer-focus checks: CCG engagement, intentions, interviews, surveys and SLAs."""
