"""A tokenizer that also gives the classifier the folded form of each word.

Citizens write the same question with and without diacritics and with chat spellings
("phí bao nhiêu", "phi bn"). Adding each word's folded form (no diacritics, chat spellings
expanded: actions/text.py) lets both spellings share features, while the accented words
stay available to tell apart words that folding merges (phí/phi).
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from actions.text import fold


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldingTokenizer(WhitespaceTokenizer):
    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        folded = []
        for token in tokens:
            for word in fold(token.text).split():
                if word != token.text.lower():
                    folded.append(Token(word, token.start, token.end))
        return tokens + folded
