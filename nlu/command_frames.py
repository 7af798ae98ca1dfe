"""Commands said at length, recognised by how they are framed: a request that
names the conversation itself ("ce que je vous ai écrit", "mes réponses", "la
question précédente", "une vraie personne"). The frame is what tells "pourriez-
vous effacer tout ce que je vous ai écrit" (erase my data) from "il faudrait
effacer les tags sur les murs" (an answer): the verb alone does not.

Patterns run on the folded words (no accents, lower case, chat shorthand spelt
out: "jcapte" is "je capte") of messages of at most `MAX_WORDS` words; longer
messages are contributions. Most frames need a request made to the bot ("je",
"vous", "svp", "can you"); a few are commands whoever says them ("on reprend au
début", "c'est quoi la question", a goodbye alone). Frames that could match an
opinion are anchored at the end of the message ("je souhaite arrêter là", not
"je pense que le projet doit s'arrêter là ...") or name the conversation itself;
tests/nlu/test_command_frames.py holds the near-misses of each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlu.commands import command_words, spelt_out
from nlu.interpretation import CommandName
from nlu.normalize import tokens, word_set

MAX_WORDS = 25
_SAID = (
    r"(?:tout )?ce que je (?:vous |t )?(?:ai|avais) "
    r"(?:dit|ecrit|donne|envoye|raconte|repondu|saisi)"
    r"|(?:toutes |tous )?(?:les |mes )?(?:infos|informations|donnees|reponses) que vous"
    r" (?:avez|gardez|conservez|detenez)"
    r"|(?:toutes |tous )?mes (?:reponses|donnees|informations|infos|messages|coordonnees)"
    r"|(?:toutes )?les reponses que je (?:vous )?ai (?:donnees|envoyees|ecrites)"
    r"|(?:tout )?ce que vous (?:avez|savez|gardez|conservez) sur moi"
)
_PERSON = (
    r"humain|etre humain|vraie personne|personne (?:reelle|physique|de l equipe)"
    r"|(?:avec|a) une personne$"
    r"|vrai (?:humain|gens|quelqu un)|quelqu un de (?:reel|l equipe|la mairie)"
)
_PREVIOUS = (
    r"(?:question|reponse) (?:precedente|d avant)|derniere (?:question|reponse)"
    r"|(?:repondu|reponse) (?:juste avant|tout a l heure)"
)
_THIS_ONE = r"celle ?(?:ci|la)|cette question|a ca|a celle"
# Politeness that may close a request: "on reprend au début svp".
_POLITE_END = (
    r"(?: svp| stp| merci| s il vous plait| si possible| si c est possible| please| pls| plz"
    r"| thanks| thx| if possible)*$"
)
_DELETE_FR = (
    rf"\b(?:supprim|effac|oubli|retir|detrui)\w*\b.*\b(?:{_SAID})\b"
    rf"|\b(?:{_SAID})\b.*\b(?:soient|soit|etre) (?:supprim|effac|detrui|retir)\w*"
)
_DELETE_EN = (
    r"\b(?:delete|erase|remove|wipe|forget)\b.*\b(?:everything i|all (?:the |my )?"
    r"(?:answers|data|messages|information|info|responses|details)"
    r"|(?:the )?(?:answers|information|info|responses|details) i"
    r"|my (?:answers|data|messages|information|info|responses|details)"
    r"|what i (?:said|wrote|told you|answered|gave you))\b"
)
_HUMAN_FR = (
    rf"\b(?:parler|discuter|echanger|contact|joindre|rappel)\w*\b.*\b(?:{_PERSON})\b"
    r"|\b(?:quelqu un|un humain|une personne|un conseiller|une conseillere|un agent)\b"
    r".*\b(?:m appeler|me rappeler|me contacter|me telephoner|m ecrire|me repondre)\b"
    # "j'aimerais être rappelé par un conseiller"
    r"|\b(?:etre|me faire) (?:rappel|recontact|contact|appel)\w* par (?:un|une|quelqu)\b"
    r"|\b(?:avoir|passez moi|passe moi|mettre en relation avec|veux|voudrais|aimerais)"
    r" (?:un|une) (?:vrai|vraie|etre) (?:humain|personne|conseiller|conseillere|agent"
    r"|interlocuteur|interlocutrice)\b"
    r"|\b(?:quelqu un|un humain|une personne|un conseiller|une conseillere|un agent)"
    r" (?:au bout du fil|au telephone|en ligne)\b"
)
_HUMAN_EN = (
    r"\b(?:talk|speak|chat)\b.*\b(?:human|real person|actual person|someone from|a person)\b"
    r"|\b(?:human|person|someone|somebody|agent|advisor)\b.*\b(?:call|ring|phone|contact) me\b"
    r"|\b(?:get|give|want|need|connect|transfer|put)\b(?: me)?(?: to| through to)?"
    r" (?:a|an|some) (?:real )?(?:human|person|agent|operator)\b"
)
_BACK_FR = (
    r"\b(?:je peux|on peut|peut on|puis je|est ce que je peux|est ce qu on peut)"
    rf" (?:revenir|retourner) (?:en arriere|(?:a|sur) (?:la |une )?(?:{_PREVIOUS}))"
    r"|"
    r"\b(?:trompe|tromper|erreur|faute|mal repondu|corriger|modifier|changer|n importe quoi"
    r"|mal (?:mis|lu|compris|clique|tape)|pas fait expres|plante|goure|rate)\w*\b"
    rf".*\b(?:{_PREVIOUS})\b"
    # "la question d'avant, je voudrais la refaire"
    rf"|\b(?:{_PREVIOUS})\b.*\b(?:refaire|corriger|modifier|changer|revoir|reprendre)\b"
)
_BACK_EN = (
    r"\b(?:can i|could i|may i|can we|could we) go back(?: to the (?:last|previous)"
    rf" (?:question|one|answer)| one question)?{_POLITE_END}"
    r"|"
    r"\b(?:mistake|wrong|change|fix|correct)\b.*\b(?:previous|last) (?:question|answer|one)\b"
    r"|\b(?:previous|last) (?:question|answer|one)\b.*\b(?:wrong|mistake|fix|change|correct"
    r"|typo)\b"
    r"|\b(?:typo|messed up|mixed up|misclicked|wrong button)\b.*\b(?:previous|last)"
    r" (?:question|answer|one)\b"
    r"|\bmade a mistake (?:earlier|before|just now)\b"
)
_SKIP_FR = (
    r"\b(?:pas envie|prefere(?:rais)? ne pas|veux pas|souhaite pas|prefere pas)\b"
    rf".*\brepondre\b.*\b(?:{_THIS_ONE})\b"
)
# Keeping the answer to oneself: "je préfère garder ça pour moi", "c'est personnel".
_PRIVATE_FR = (
    r"\b(?:garder|garde) (?:ca|cela|cette info\w*|l info|la reponse) pour moi\b"
    r"|\bca ne vous regarde pas\b|\bca vous regarde pas\b"
)
_SKIP_EN = (
    r"\b(?:rather not|don t want to|do not want to|prefer not to|won t|will not|not going to"
    r"|refuse to)\b.*\banswer\b"
    r".*\b(?:this|that|it)\b"
)
# Not understanding the question itself: "je vois pas trop ce que vous demandez".
_HELP_FR = (
    r"\b(?:comprends|comprend|compris|vois|saisis|pige|capte)\b.*\b(?:pas|rien)\b.*"
    r"\b(?:ce que vous|ce que tu|la question|ce qu il faut|ce qu on (?:me|attend)|quoi repondre)\b"
)
_HELP_EN = (
    r"\b(?:don t|do not|didn t|can t) (?:understand|get)\b.*"
    r"\b(?:the question|what you|what i should|what to answer|what this)\b"
)
# Starting the questionnaire over: "je voudrais reprendre le questionnaire du début".
_RESTART_FR = (
    r"\b(?:recommencer|reprendre|refaire|redemarrer|recommence|reprend)\b"
    r"(?: tout)?(?: le questionnaire| la consultation| les questions)?"
    rf" (?:(?:depuis|du|au) (?:le )?(?:tout )?debut|a zero|de zero){_POLITE_END}"
    r"|\b(?:recommencer|reprendre|refaire) (?:le questionnaire|la consultation)\b"
    r"|\btout (?:recommencer|reprendre|refaire)$"
)
# No more messages: "vous pouvez arrêter de m'écrire ?", "stop messaging me".
_NO_MORE = (
    r"\b(?:arret|stop|cess)\w*\b (?:de m ecrire|de m envoyer|les messages|les questions"
    r"|de me (?:contacter|relancer|harceler|poser des questions))\b"
    r"|\bstop (?:messaging|texting|contacting|writing to) me\b"
)
_NO_MORE_ALONE = rf"^no more (?:messages|texts|questions|emails|notifications){_POLITE_END}"
# Erasing everything, said last: "je veux tout effacer", "supprimez tout".
_DELETE_ALL = (
    r"^(?:(?:je veux|je voudrais|j aimerais|je souhaite|vous pouvez|pouvez vous|pourriez vous"
    r"|svp|stp|please|can you|could you) )?"
    r"(?:tout (?:effacer|supprimer)|(?:effacer|supprimer|effacez|supprimez|efface|supprime) tout"
    rf"|(?:delete|erase|wipe) (?:it all|everything)){_POLITE_END}"
)
# Erasing oneself: "effacez-moi de votre base", "je veux que tout soit effacé".
_DELETE_ME = (
    r"\b(?:effacez|supprimez|retirez|rayez|efface|supprime|retire) moi\b"
    r"(?: (?:de|des) (?:votre|vos|la|les) (?:base|fichiers?|listes?|registres?|donnees))?"
    rf"{_POLITE_END}"
    r"|\b(?:effac|supprim|retir)\w* moi (?:de|des) (?:votre|vos|la|les) "
    r"(?:base|fichiers?|listes?|registres?)\b"
    rf"|\btout (?:soit|soient) (?:supprim|effac|detrui)\w*{_POLITE_END}"
    r"|\b(?:m|me) (?:effacer|supprimer|retirer|rayer) (?:de|des) (?:votre |vos |la |les )?"
    r"(?:base|fichiers?|listes?|registres?)\b"
)
_SKIP_ANY = (
    r"\b(?:skip|pass on)\b (?:this|that|it|the question|this question|this one|that one)\b"
    r"|\bpasser (?:cette question|celle ci|celle la|mon tour)\b|\bje passe mon tour\b"
)
_STOP_FR = r"\b(?:on peut|on va|je vais|je prefere|restons) en rester la\b|\brestons en la\b"
# Not following the question: "je pige rien", "g rien capté à la question",
# "je suis pas sûr de comprendre"; said alone, so that "j'ai rien compris aux
# nouveaux tarifs" stays an opinion.
_ABOUT_QUESTION = r"(?: (?:a |de )?(?:la|votre|cette|ta) question| a ca| a cela| la)?"
_LOST_FR = (
    r"\b(?:comprends|comprend|pige|capte|saisis) (?:pas|rien)(?: du tout)?"
    rf"{_ABOUT_QUESTION}{_POLITE_END}"
    rf"|\b(?:rien|pas) (?:compris|capte|pige|saisi)(?: du tout)?{_ABOUT_QUESTION}{_POLITE_END}"
    r"|\bpas (?:sur|sure|certaine?) (?:de (?:bien )?(?:comprendre|saisir|piger|capter)"
    r"|d avoir (?:bien )?(?:compris|saisi|pige|capte))\b"
    r"(?: (?:la|votre|cette) question| ce qu il faut (?:mettre|repondre|ecrire|faire|cocher|dire)"
    rf"| ce que vous (?:demandez|voulez dire|voulez|attendez))?{_POLITE_END}"
    rf"|\b(?:je )?(?:ne )?vous suis (?:pas|plus){_POLITE_END}"
    r"|\b(?:don t|do not|didn t|can t) (?:follow|get it|understand)"
    rf"(?: you| this| that| the question)?{_POLITE_END}"
)
_AGAIN_VERBS = (
    r"repeter|repetez|repete moi|reformuler|reformulez|reformule|reexpliquer|reexpliquez"
    r"|redire|redites"
)
# Asking for the question again or explained: "pourriez-vous reformuler la
# question ?", "expliquez-moi ce qu'il faut mettre", "could you rephrase that?".
_AGAIN_FR = (
    rf"\b(?:{_AGAIN_VERBS})(?: (?:la|votre|cette) question| ca| cela| moi)?{_POLITE_END}"
    rf"|\b(?:{_AGAIN_VERBS}) (?:la|votre|cette) question\b"
)
_EXPLAIN_FR = (
    r"\b(?:m expliquer|expliquez moi|explique moi|expliquer moi|m aider|aidez moi|aide moi)"
    r"(?: (?:a |pour )?(?:comprendre|repondre|remplir)(?: (?:a )?(?:la|cette|votre) question"
    r"| ca| le questionnaire)?"
    r"| ce qu il faut (?:mettre|repondre|ecrire|faire|cocher|dire)"
    r"| ce que vous (?:demandez|voulez dire|voulez|attendez)"
    r"| quoi (?:mettre|repondre|ecrire|dire|cocher|choisir)| (?:la|cette|votre) question)?"
    rf"{_POLITE_END}"
    rf"|\bj (?:ai|aurais) besoin (?:d |de l )?(?:un peu d )?aide{_POLITE_END}"
)
_AGAIN_EN = (
    r"\b(?:rephrase|reword|repeat|clarify|explain) (?:that|this|it|the question|what you mean)"
    rf"(?: again)?{_POLITE_END}"
    r"|\bsay (?:that|it) again\b"
    rf"|\b(?:i|we) (?:need|could use|would like) (?:some |a bit of |a little )?help{_POLITE_END}"
)
# Only a word of surprise: "quoi ?", "sorry what?", "hein".
_HUH = r"^(?:(?:sorry|pardon|huh|hein|eh|euh|heu) )?(?:what|quoi|hein|huh|comment)$"
# "c koi la question exactement", "la question veut dire quoi ?"; which end
# of a scale is which: "is 5 good or bad?".
_WHAT_QUESTION = (
    r"^is (?:[0-9]+|zero|one|five|ten) (?:good|bad|the best|the worst|high|low|better|worse)\b|"
    r"\b(?:c est quoi|c quoi|quelle est|qu est ce que c est) (?:la|cette|votre) question\b"
    r"|\b(?:la|cette|votre) question (?:veut dire|signifie) quoi\b"
    # "je sais pas trop ce que ça veut dire", "c'est quoi la commune qu'il faut mettre"
    r"|\b(?:sais|vois|comprends) (?:pas|plus)\b.*\bce que (?:ca|cela|ceci|vous voulez)"
    r" (?:veut dire|signifie|dire)\b"
    r"|\b(?:c est quoi|c quoi|quel|quelle|quels|quelles)\b.*\bqu il faut"
    r" (?:mettre|repondre|ecrire|cocher|indiquer)\b"
    # how many may be chosen: "on peut en cocher plusieurs ?", "can i pick two?"
    r"|\b(?:on peut|je peux|peut on|puis je) en (?:cocher|choisir|mettre|selectionner|prendre)"
    r" (?:plusieurs|deux|trois|2|3)$"
    r"|\b(?:can i|can we|may i) (?:pick|choose|select|tick) (?:several|more than one|multiple"
    r"|both|two|2)$"
)
# Not knowing what to write: "je sais pas trop quoi écrire là"; "what kind of
# date do you want".
_WHAT_TO_WRITE = (
    r"\bsais pas(?: trop| vraiment| bien)? (?:quoi|ce qu il faut) (?:mettre|repondre|ecrire|dire"
    rf"|cocher|choisir)(?: la| ici)?{_POLITE_END}"
    r"|\b(?:what|which) (?:kind|sort|type|format)(?: of [a-z]+)? (?:do you want|do you need"
    r"|are you (?:asking|looking) for|should i)\b"
)
# Keeping it private: "c'est privé", "je préfère ne pas m'exprimer sur ce sujet".
_PRIVATE_ALONE = (
    r"^(?:c est|c|ca c est|that s|it s) (?:prive|perso|personnel|confidentiel|private)"
    rf"{_POLITE_END}"
)
_NO_OPINION_SAID = (
    r"\b(?:prefere(?:rais)? (?:ne pas|pas)|veux pas|souhaite pas) (?:m exprimer|me prononcer)\b"
    rf"(?: (?:la dessus|sur (?:ce sujet|cette question|ca|cela|{_THIS_ONE})))?{_POLITE_END}"
)
# Keeping the answer to oneself, in either language; abstaining on this one.
_PRIVATE = (
    r"\bgard(?:er|e|erai) (?:(?:ca|cela|cette info\w*|l info|la reponse|ma reponse) )?pour moi\b"
    r"|\bkeep (?:that|this|it) (?:to myself|private)\b"
    rf"|\b(?:m abstenir|m abstiens)\b.*\b(?:{_THIS_ONE}|repondre)\b"
)
# Not saying: "je préfère ne pas le dire", "i'd rather not share that".
_NOT_SAYING = (
    r"\b(?:prefere(?:rais)? (?:ne pas|pas)|veux pas|voudrais pas|souhaite pas) (?:le |la |l |en )?"
    r"(?:dire|donner|partager|communiquer|preciser|indiquer|repondre)\b"
    rf"(?: (?:a )?(?:ca|cela|{_THIS_ONE})| (?:mon|ma|mes) [a-z]+(?: [a-z]+)?)?{_POLITE_END}"
    r"|\b(?:rather not|prefer not to|don t want to|do not want to|won t|will not) "
    r"(?:answer|say|share|tell|give|disclose|reply)\b"
    r"(?: (?:that|this|it|you|one|the question|this one|that one|my [a-z]+"
    rf"|(?:a|an|any) [a-z]+))*{_POLITE_END}"
)
# Nothing to say, then the next question: "rien à dire, question suivante",
# or the other way round: "skip, nothing to say".
_NOTHING_NEXT = (
    r"^(?:skip|next|pass|suivante?|je passe|on passe)\b.*\b(?:rien a (?:dire|ajouter)"
    rf"|nothing to (?:say|add)|no opinion|pas d avis){_POLITE_END}|"
    r"^(?:(?:euh|heu|non|nan|nah|no|bah|ben|bof|hmm) )*(?:rien|nothing)\b"
    r".*\b(?:next|suivante?|question suivante|next question|je passe"
    rf"|on passe|skip){_POLITE_END}"
)
# Leaving: "je souhaite arrêter là", "lâchez-moi avec vos questions", "ne
# m'envoyez plus de messages", "je reprendrai plus tard", "stop asking me".
_LEAVE_FR = (
    r"\b(?:je|j|on)(?: [a-z]+){0,3} (?:arreter|arrete|stopper|stoppe|m arreter|m arrete)"
    r" (?:la|ici)"
    r"(?: pour (?:aujourd hui|le moment|l instant|ce soir|maintenant|cette fois))?"
    rf"{_POLITE_END}"
    r"|\b(?:lachez|lache) moi\b|\b(?:laissez|laisse) moi (?:tranquille|en paix)\b"
    r"|\b(?:fichez|fiche|foutez|fous) moi la paix\b"
    r"|\bne (?:m |me )(?:envoyez|ecrivez|contactez|relancez|sollicitez|derangez|envoie"
    r"|ecris|contacte|relance|derange) plus\b"
    r"|\b(?:me desinscrire|me desabonner|desinscrivez moi|desabonnez moi)\b"
    r"|\b(?:je|j|on) (?:reprendrai|reprendra|reviendrai|reviendra|continuerai|continuera"
    r"|finirai|finira|terminerai|repasserai|repasserez)\b"
    # only times that are no date: "je reviendrai demain" may answer a date question
    rf"(?: (?:la suite|le reste|ca))? (?:plus tard|une autre fois|tout a l heure){_POLITE_END}"
)
_LEAVE_EN = (
    # "i don't have time for this now" (not "i don't have time to drive my kids")
    r"\b(?:i don t|i do not|i haven t) (?:have |got )?(?:the )?time(?: for (?:this|that|it))?"
    rf"(?: (?:now|right now|today|at the moment))?{_POLITE_END}|"
    rf"^(?:i want|i wanna|let me) out{_POLITE_END}"
    r"|^(?:(?:ok|okay|well|right|alright|so) )?(?:i m|i am) (?:done|finished|out)"
    rf"(?: here| for (?:today|now)| with (?:this|it))?{_POLITE_END}"
    r"|\bleave me alone\b"
    r"|\bstop (?:asking|sending|bothering|bugging|pestering|spamming|harassing) me\b"
    r"|\b(?:i ll|i will|ill|i can) (?:finish|continue|come back|do the rest|carry on)"
    rf"(?: it| this| the rest)? (?:later|another time|some other time){_POLITE_END}"
)
# Not going on: "je ne souhaite pas continuer ce questionnaire, bonne journée",
# "i don't want to continue with this survey anymore" (said last: "je ne veux
# pas continuer à payer autant" is an opinion).
_SURVEY = r"(?:le |ce |la |cette |this |the )?(?:questionnaire|sondage|enquete|consultation|survey)"
_NOT_GOING_ON = (
    r"\b(?:(?:veux|souhaite|voudrais|compte|peux|souhaiterais) (?:pas|plus)"
    r" (?:continuer|poursuivre)"
    r"|(?:don t|do not|no longer) (?:want|wish|wanna) to (?:continue|go on|carry on|keep going))"
) + (
    rf"(?: (?:with )?{_SURVEY})?"
    r"(?: (?:plus longtemps|aujourd hui|maintenant|anymore|any more|now|today))?"
    r"(?: (?:merci|bonne journee|bonne soiree|au revoir|thanks|thank you|bye))*"
    rf"{_POLITE_END}"
)
# Only a goodbye: "allez au revoir et bonne journée", "bon ben salut", "bye for now".
_GOODBYE = (
    r"^(?:(?:bon|bah|ben|allez|ok|okay|merci|bref|voila|et|alors|well|thanks) )*"
    r"(?:au revoir|bye|goodbye|bye bye|ciao|a plus|a bientot|see you|see ya)"
    r"(?: (?:et |and )?(?:bonne (?:journee|soiree|nuit|fin de journee)|merci|a bientot|for now"
    r"|see you|thanks|have a (?:nice|good) day))*$"
    r"|^(?:bon|ben|allez|bref)(?: [a-z]+)? salut$"
)
# Ending the questionnaire itself, whoever says it: "end the survey".
_END_SURVEY = (
    r"\b(?:quitter|quitte|arreter|arrete|stopper|interrompre|abandonner|sortir du|sortir de"
    r"|mettre fin a|fermer) (?:le |ce |la |cette )?"
    r"(?:questionnaire|sondage|enquete|conversation|discussion|chat|quiz)"
    rf"(?: maintenant| ici)?{_POLITE_END}"
    r"|\b(?:end|quit|exit|stop|close|leave|cancel|abandon) (?:the |this )?"
    rf"(?:survey|questionnaire|conversation|chat|quiz)(?: now| here)?{_POLITE_END}"
)
# Only the verb of starting again: "recommencez svp", "on recommence", "start over".
_RESTART_ALONE = (
    r"^(?:(?:on|je|j|i|we|let s|peut on|on peut|can we|can i|could we|could i|puis je"
    r"|est il possible de|serait il possible de|is it possible to) )?"
    r"(?:(?:veux|voudrais|peux|aimerais|want to|d like to|can) )?"
    r"(?:recommencer|recommencez|recommence|recommencons|redemarrer|redemarrez|redemarre"
    r"|restart|start over|start again|begin again)"
    r"(?: (?:tout|everything|a zero|de zero|from scratch|from the beginning|depuis le debut"
    r"|du debut|svp|stp|please|pls|merci))*$"
)
# "is it possible to start the whole questionnaire again from the very beginning"
_START_AGAIN_EN = (
    r"\b(?:start|begin|do|restart|redo)(?: (?:the|this|it)(?: (?:whole |entire )?"
    r"(?:questionnaire|survey|thing|consultation))?)?"
    r"(?: (?:again|over)(?: from (?:the )?(?:very )?(?:beginning|start|scratch))?"
    r"| from (?:the )?(?:very )?(?:beginning|start|scratch))"
    rf"{_POLITE_END}"
    r"|\b(?:start|begin|restart|redo) (?:the|this) (?:whole |entire )?"
    rf"(?:questionnaire|survey|consultation){_POLITE_END}"
)
# Someone named after a verb of talking, and nothing else but where they work:
# "je voudrais discuter avec un conseiller", "parler à un agent de la mairie".
_SOMEONE = (
    r"quelqu un|un conseiller|une conseillere|un agent|un operateur|une operatrice"
    r"|un interlocuteur|une interlocutrice|un responsable"
)
_TALK_TO_SOMEONE = (
    rf"\b(?:parler|discuter|echanger|parle|discute) (?:a|avec) (?:{_SOMEONE})"
    rf"(?: (?:de|du|d) (?:la |l )?[a-z]+)?{_POLITE_END}"
    rf"|\b(?:passez moi|passe moi|me passer|mettez moi en (?:relation|contact) avec"
    rf"|mettre en (?:relation|contact) avec) (?:{_SOMEONE}|un humain|une personne)\b"
)
# Words one of which each alternative of a costly frame needs: a message with
# none of them skips that frame's search (every message is searched, and
# these two frames cost most; tests/nlu/test_command_frames.py checks the
# words against every case of the evaluation files).
_LEAVE_WORDS = word_set(
    """
    arreter arrete stopper stoppe lachez lache laissez laisse fichez fiche foutez fous
    envoyez ecrivez contactez relancez sollicitez derangez envoie ecris contacte relance
    derange desinscrire desabonner desinscrivez desabonnez reprendrai reprendra reviendrai
    reviendra continuerai continuera finirai finira terminerai repasserai repasserez out
    done finished time leave stop later continuer poursuivre continue go carry keep
    """
)
_LOST_WORDS = word_set(
    """
    comprends comprend pige capte saisis compris saisi sur sure certain certaine suis
    follow get understand what quoi hein huh comment is question sais vois faut cocher
    choisir mettre selectionner prendre pick choose select tick which
    """
)
_ALWAYS: frozenset[str] = frozenset()  # no gate: the frame is always searched
_FRAMES: tuple[tuple[CommandName, re.Pattern[str], frozenset[str]], ...] = (
    ("delete_data", re.compile(f"{_DELETE_FR}|{_DELETE_EN}"), _ALWAYS),
    ("human", re.compile(f"{_HUMAN_FR}|{_HUMAN_EN}"), _ALWAYS),
    ("back", re.compile(f"{_BACK_FR}|{_BACK_EN}"), _ALWAYS),
    ("skip", re.compile(f"{_SKIP_FR}|{_PRIVATE_FR}|{_SKIP_EN}|{_SKIP_ANY}"), _ALWAYS),
    ("help", re.compile(f"{_HELP_FR}|{_HELP_EN}"), _ALWAYS),
    ("stop", re.compile(_NO_MORE), _ALWAYS),
    ("delete_data", re.compile(f"{_DELETE_ALL}|{_DELETE_ME}"), _ALWAYS),
    ("help", re.compile(f"{_AGAIN_FR}|{_EXPLAIN_FR}|{_AGAIN_EN}"), _ALWAYS),
    ("skip", re.compile(f"{_PRIVATE}|{_NOT_SAYING}|{_NO_OPINION_SAID}"), _ALWAYS),
    ("stop", re.compile(f"{_LEAVE_FR}|{_LEAVE_EN}|{_NOT_GOING_ON}"), _LEAVE_WORDS),
    ("restart", re.compile(_START_AGAIN_EN), _ALWAYS),
    ("human", re.compile(_TALK_TO_SOMEONE), _ALWAYS),
)
# Said without a request's "je"/"vous": a question about who reads the
# conversation ("y a-t-il un humain qui lit ça ?") and "on peut en rester là".
_WHO_READS = (
    r"^(?:(?:mais|et|bonjour|allo) )?(?:y a t il|est ce qu il y a|il y a|y a) "
    r"(?:un humain|un etre humain|une vraie personne|quelqu un de (?:reel|vrai))\b"
    # "y'a quelqu'un ?", "y a quelqu'un ou c'est que des robots ?"
    r"|^(?:(?:mais|et|bonjour|allo|euh|heu) )?(?:y a t il|est ce qu il y a|il y a|y a)"
    r" quelqu un(?: la| ou\b.*| ici)?$"
)
# A question about one's own contribution: "où en est ma contribution ?",
# "ma réponse a été publiée ?", "what happened to my contribution?".
_MINE_FR = r"\b(?:ma|mes) (?:contribution|participation|reponse|avis|proposition)s?\b"
_STATUS_FR = (
    rf"\b(?:ou en (?:est|sont)|qu est devenue?s?|que (?:devient|deviennent)|statut|suivi|etat)\b"
    rf".*{_MINE_FR}"
    rf"|{_MINE_FR}.*\b(?:publiee?s?|retenue?s?|prise?s? en compte|lue?s?|validee?s?|acceptee?s?)\b"
)
_MINE_EN = r"\bmy (?:contribution|submission|answers?|response|feedback)s?\b"
_STATUS_EN = (
    rf"\b(?:status|where is|what happened to|what s happening with|track)\b.*{_MINE_EN}"
    rf"|{_MINE_EN}.*\b(?:published|accepted|read|taken into account)\b"
)
_UNADDRESSED: tuple[tuple[CommandName, re.Pattern[str], frozenset[str]], ...] = (
    ("human", re.compile(_WHO_READS), _ALWAYS),
    # "on reprend au début": the questionnaire, whoever says it
    ("restart", re.compile(_RESTART_FR), _ALWAYS),
    ("stop", re.compile(_STOP_FR), _ALWAYS),
    ("status", re.compile(f"{_STATUS_FR}|{_STATUS_EN}"), _ALWAYS),
    ("help", re.compile(f"{_LOST_FR}|{_HUH}|{_WHAT_QUESTION}|{_WHAT_TO_WRITE}"), _LOST_WORDS),
    ("skip", re.compile(f"{_NOTHING_NEXT}|{_PRIVATE_ALONE}"), _ALWAYS),
    ("stop", re.compile(f"{_END_SURVEY}|{_GOODBYE}|{_NO_MORE_ALONE}"), _ALWAYS),
    ("restart", re.compile(_RESTART_ALONE), _ALWAYS),
)
# The code a completed contribution is given ("MOB-7K3Q"), sent alone to ask
# where that contribution is. Its part after the dash starts with a digit, so
# that a word such as "demi-tour" or "auto-stop" is never one.
RECEIPT_CODE = re.compile(r"([A-Za-z]{2,4})-([2-9][0-9A-Za-z]{3})")


def receipt_code(text: str) -> str | None:
    """The receipt code `text` is (spaces and a final "?" aside), upper case; else None."""
    found = RECEIPT_CODE.fullmatch(text.strip().rstrip("?!. ").strip())
    return f"{found[1]}-{found[2]}".upper() if found else None


# A request is made in the first or second person: "je voudrais...", "pouvez-
# vous...", "can you...", "let me..."; "il faudrait effacer..." is an opinion.
_REQUEST = re.compile(
    r"\b(?:je|j|me|m|moi|vous|pouvez|pourriez|svp|stp|plait|i|me|my|you|can|could|please|let)\b"
    r"|\b(?:on peut|peut on|est ce qu on|on pourrait|can we|could we)\b"
    # "merci de" + an infinitive is a polite imperative: "merci d'effacer mes réponses"
    r"|\bmerci (?:de|d)\b"
    r"|\b(?:il serait|il est|serait il|est il|is it|would it be) possible\b"
    # an apology says the resident speaks to the bot: "oops, previous answer was wrong"
    r"|\b(?:oops|oups|sorry|desole|desolee|pardon|my bad|de ma part|mea culpa|my mistake)\b"
)
# A word each alternative of _REQUEST needs. The text searched is folded words
# joined by spaces, so its \b stand at word edges only: a message with none of
# these words cannot match, and most answers skip the search.
_REQUEST_WORDS = word_set(
    """
    je j me m moi vous pouvez pourriez svp stp plait i my you can could please let
    on merci possible oops oups sorry desole desolee pardon part mea
    """
)
# Characters of a message that frames are searched in.
FRAMED_CHARS = 400


def framed_command(text: str) -> CommandName | None:
    """The command a request framed as one asks for, or None."""
    return framed_command_of(tokens(text[:FRAMED_CHARS]))


def framed_command_of(tokens_read: Sequence[str]) -> CommandName | None:
    """`framed_command` of the `tokens` of a text's first `FRAMED_CHARS`
    characters (a caller that has them spares folding the text again)."""
    # Chat shorthand spelt out ("jcapte" is "je capte", "qqn" "quelqu un"),
    # politeness kept: "svp" makes a request.
    words = spelt_out(tokens_read, keep_politeness=True)
    if len(words) > MAX_WORDS:
        return None
    folded = " ".join(words)
    said = set(words)
    for name, pattern, gate in _UNADDRESSED:
        if (not gate or not gate.isdisjoint(said)) and pattern.search(folded):
            return name
    if _REQUEST_WORDS.isdisjoint(said) or not _REQUEST.search(folded):
        return None
    for name, pattern, gate in _FRAMES:
        if (not gate or not gate.isdisjoint(said)) and pattern.search(folded):
            return name
    return None


# Wondering why something is so is an opinion, not a request: "je comprends
# pas pourquoi la piscine a fermé", "why did you stop the night bus" (but "why
# this question?" and "pourquoi vous me demandez ça" are about the question).
_WONDERS_WHY = re.compile(
    r"\b(?:pourquoi|why|how come)\b(?! (?:vous|you|tu|on me|cette|this|la question|ca|cela"
    r"|that|it|do you|are you|is this)\b)(?: [a-z0-9]+){2}"
)


def wonders_why(text: str) -> bool:
    """Whether `text` asks why something other than the question is so."""
    return _WONDERS_WHY.search(" ".join(command_words(text[:FRAMED_CHARS]))) is not None
