"""CLI subcommands: one module each, with add_parser(sub) and run(args)."""

import argparse


def help_format() -> type[argparse.HelpFormatter]:
    return argparse.RawDescriptionHelpFormatter
