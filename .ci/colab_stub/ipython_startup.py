# CI's "colab" stage: import the stand-in google.colab at kernel start, as Colab's kernel does.
import google.colab  # noqa: F401
