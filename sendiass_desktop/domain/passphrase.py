"""Passphrases for encrypted exports, made to be read out over the phone.

A SAR pack or disclosure extract is an encrypted PDF whose passphrase the
requester gets by another channel, usually a phone call. So the passphrase is a
few ordinary words rather than random characters: easy to say, to hear and to
type, with nothing that depends on case or look-alike characters.

Strength: :data:`WORDS` has exactly 2,048 = 2**11 words and each word is
chosen independently and uniformly with :mod:`secrets`, so a passphrase of
:data:`WORD_COUNT` = 5 words carries 5 x 11 = **55 bits** of entropy (about
3.6 x 10**16 equally likely passphrases). The PDF's AES-256 R6 key derivation
is deliberately slow to test, so guessing it offline at even a million guesses
a second takes over 500 years on average. That is ample for a file whose
passphrase travels separately and whose contents are also posted or handed over
in person; it is not meant for a file published openly.

How the list was made (so that it can be extended by the same rules): common
British English words of 3 to 8 lower-case letters (nature, food, animals,
everyday objects, gentle verbs and adjectives), with these taken out:

* homophones and near-homophones, both halves of the pair (bare/bear,
  flour/flower, knight/night, sail/sale, tide/tied, key/quay, ...), so a word
  heard on the phone can be typed only one way;
* words whose spelling differs between British and American English
  (colour, grey, harbour, metre, yoghurt, axe, cosy, ...), or that are hard to
  spell from hearing (rhythm, yacht, scissors, meringue, ...);
* pairs that differ only by one voiced/unvoiced sound and are easily misheard
  on a poor line (bark/park, fan/van, sip/zip, cot/cod, crow/grow, ...): one
  of each pair was removed;
* plurals of other words on the list, proper nouns and brand names;
* words that could upset or embarrass in the context of special educational
  needs and family support (normal, slow, able, lazy, worry, ...) and words
  about money, violence, religion, law or the body.

Changing the list never invalidates a passphrase already given out: a
passphrase is only ever typed back into a PDF reader, never checked against
this list.
"""

from __future__ import annotations

import math
import secrets
from typing import Final

__all__ = ["ENTROPY_BITS", "SEPARATOR", "WORDS", "WORD_COUNT", "generate_passphrase"]

WORD_COUNT: Final = 5
SEPARATOR: Final = "-"

# fmt: off
_WORD_TEXT: Final = """
abacus absorb achieve acorn acquire action active actor adapt adjust admire adopt advance
advice afford agile agree aim airport airship album alder alert align allow alloy alphabet
amaze amazing amber amble ample amuse anchor ancient angle angular animate annual anorak
answer ant antenna anvil appear applaud apple apply approve apricot apron apt aqua arch
archery arctic area argue arrange arrive arrow art artful artist ash ask aspen assemble
assist asteroid athlete atlas atom attach attend attic attract author autumn avenue avocado
awake awaken azure backpack bacon badge badger bag bagel bake baker bakery baking balance
balcony ballad ballet balloon balmy bamboo banana banjo banner banquet barber barley barn
barrel baseball basic basil basket bass bat bath bathtub batter battery bay beacon beaker
beam beanbag beard beauty beaver beckon become bed bedroom bedside beetle begin beige
believe bell belong belt bench bend beret bicycle bingo biology birch birthday biscuit bison
black blanket blazer blend blender blink bloom blossom blouse bluebell bluebird boast boat
bobble bobcat bolt bonnet bonus book bookcase boot border borrow bottle bottom bounce bouncy
boundary bowl bowtie box boxing bracelet bracken braid brain bramble branch brass brave
breath breathe breeze breezy brew brick bridge bright bring brisk broad bronze brooch brook
broom brown brownie browse brush bubble bubbly bucket buckle budge buffalo buffet build
builder bulb bull bump bundle bunny bus bush bustle busy butter button buzz buzzard cabbage
cabin cabinet cable cactus cafe cage cake calendar call calm camel camera camp camping
campus canal canary candid candle candy canoe canter canvas canyon cap cape capital captain
car caramel caravan carbon cardigan care careful caribou carnival carol carpet carry cart
cartoon carve cascade cashew castle casual cat catch category cattle cauldron cave cedar
celery cement century chair chalet chalk champion change channel chapel chapter charcoal
charge charm chart chase chat cheer cheerful cheery cheese chef chemist cherish cherry chess
chest chestnut chew chicken chief chimney chipmunk choice chop chorus chuckle cinema circle
circuit circus city civic clamber clap clarity classic clatter clay clean clear clever cliff
climate climb cling clinic cloak clock closet cloud cloudy clover clue cluster coach coast
coat cockerel cocoa coconut cocoon cod code coffee collar collect college collie colony
column comb combine comedy comet comfort comfy comic comment common compact company compare
compass compete compose concept concert concrete conduct cone confirm conker connect
consider contain contest context continue convert cook cooker cookie cool copper copy cork
corn corner corridor cosmic cosmos costume cottage cotton couch count country courage cove
cover cow cowboy coyote crab cracker crackle cradle craft crafty crane crate crater crawl
crayon cream create cricket crimson crisp cross crossing crow crowd crown crumble crunch
crust crystal cube cuckoo cucumber cuddly cuff culture cup cupboard cupcake curious curl
curly curry curtain curve cushion custard cute cutlery cyan cycle cycling cylinder daffodil
daily dainty dairy daisy dance dancer dangle dapper dare daring dart dash date dawn dazzling
decade decent decide decimal deep degree delight deliver delta denim dense depart depth
describe design desk detail detect develop diagram dial diamond diary dig dill dinner
diploma direct disco discover dish distance distant dive diver divide diving dock doctor
document dodge dodo dog dolphin domain dome domino donate donkey doodle door doorbell
doormat doorstep double dove doze drag dragon draw drawer drawing dream dreamy drift drink
drive driver drizzle drop drum dry duck dumpling dune dunk dusk dust dusty duty duvet dynamo
eager eagle early earmuff earnest earth easel easy ebony echo eclipse economy edit edition
eel effort eggcup elegant element elephant elk elm embark emerald emerge employ emu enable
endure energy engage engine enhance enjoy ensure enter entice entry envelope epic episode
equal equator equip era eraser erupt escape essay estate even evening event evolve exact
examine example exceed exchange excite exhibit exist expand expect expert explain explore
extend fable fabric factor factory falcon famous fancy farm farmer fashion fast fasten feast
feather feature feed felt fence fencing fern ferret ferry festival festive fetch fiction
fiddle field fierce fig figure fill finch fine finger finish fireside firework firm first
fish fisher fishing fix fizz fizzy flag flame flamingo flap flash flask flat flax fleece
flick flip float flood florist flow fluffy flute flutter fly focus focused fog fold folder
follow football forage forest forge forgive fork form formal formula fortune forum fossil
fountain fox foxglove fraction frame freezer fresh fridge friendly frock frog frolic frost
frosty fudge fuel full fungus funnel fusion future fuzzy gadget galaxy gallery gallop game
garage garden gardener garlic garnet gasp gather gaze gazelle gear gem gene genius gentle
gerbil gesture geyser gift gifted giggle ginger giraffe give glacier glad glade glance glass
gleaming glen glide glider glimmer glisten glitter globe glossy glove glow goal goalie
gobble gold golden goldfish golf gong good goose gopher gown graceful grammar grand granite
grape graph grasp grass grassy grateful gravel gravity gravy graze green greet griddle grill
grin grip group grouse grove growth grumble guard guess guide guitar gulf gull gulp gurgle
gymnast habit hallway hammer hammock hamster handle handy hang happen happy hardy harp
harvest hat hatch hawk hawthorn hazel headland health heap heart hearty heath heather hedge
hedgehog height helium helmet help helpful heritage heroic heron hexagon highland highway
hike hiking hill hilltop hinge hippo history hobby hockey hoist hold holiday holly honest
honey honeybee honk hood hook hoot hop hope hopeful horizon hornet hotel hound hover huge
hum humble hurdle hurry husky hut hydrogen iceberg icing icy idea ideal igloo ignite image
imagine imitate impress improve include index indigo inform inhale inlet insect inspect
inspire install instinct invent inventor invite iron island item ivory ivy jacket jade
jaguar jangle jar javelin jay jazz jeep jelly jersey jiggle jigsaw jingle jockey jog join
joiner joke jolly journal journey joy joyful jubilee judo jug juggle juggler juice jump
jumper junction jungle juniper kale kangaroo karate kayak kazoo kebab keen keepsake kestrel
kettle keyboard khaki kilt kind kindle kingdom kiosk kitchen kite kitten kiwi knitting knock
label ladder ladle ladybird lagoon lake lamb lamp land language lantern laptop larch larder
large laser lasso lasting latch laugh launch laurel lava lavender leaf leafy leap learn
leather lemon lemur lend lens lentil leopard letter lettuce level lever library lid lifeboat
lifetime lift light likely lilac lily lime limit linen linger link lion liquid list listen
live lively lizard llama load lobster local lock locket lofty logic long look lotus lounge
loyal lucky lunar lunch lyric machine magazine magenta magic magician magnet magnolia magpie
mainland major make mallard mallet mammal mango mansion map maple marathon marble march
margin marigold marina market maroon marsh marvel mask mat match matter mauve meadow measure
meerkat mellow melody melon melt memory mend menu merry message meteor method middle
midnight mighty mild milk millet mingle mink mint minute mirror mission misty mitten mix
mixer model modern modest moist mole moment monkey moon moonbeam moor mop moss moth motion
motive motor motorway mountain mouse move movie mud mug mule mumble munch murmur museum
mushroom music mystery myth nail napkin nature navigate navy neat nebula nectar needle neon
nestle net netball nettle network newt nibble nickel nimble noble nod noodle noon notebook
notice notion nova novel nudge number nurse nutmeg nuzzle nylon oak oasis oatcake object
observe obtain ocean ochre octopus offer office olive onion opal open opera operate optimal
option orange orbit orchard orchid order orderly oregano organ origami origin ostrich otter
outcome outline oval oven overall owl oxygen oyster pace pack paddle padlock page paint
painter painting palace palette palm pan pancake panda panel panther pantry paper parade
parcel park parka parrot parsley parsnip pass pasta pastry patrol pattern pavement pea peach
peacock peanut pebble pecan peep pelican pen pencil pendulum penguin pepper perch perfect
perform period petal phrase piano pick pickle picnic picture pig pigeon piglet pillar pillow
pilot pin pine pink pipe piston pitcher pivot pixel pizza place plan plant plasma plastic
plate plateau platform play playful plaza pleasant plot plucky plug plumber pocket poem poet
poetry point polar polish polite pollen polo poncho pond ponder pony poodle popcorn poplar
poppy porridge port portrait position possum post poster pot potato potter pottery pouch
pounce powder power prairie prance prefer prepare present press pretty pretzel prime
primrose print prism prize process product profile project proof property prose protect
proud prowl prune pudding puddle puff puffin pulley pullover puma pumpkin puppet puppy pure
purple purr push puzzle pyramid python quack quail quality quarter quest question quick
quilt quirky quiver quiz quota rabbit raccoon race radar radiator radio radish radius
railway rainbow raincoat raindrop rainfall raisin rake rally ram ramble ranch range ranger
rapid rare rate rattle raven reach ready reason recipe record recycle red redwood reef
referee reflect regal region reindeer rejoice relax relay relish remain remedy remember
remind render repair repeat replace reply report rescue resolve restore retire return reveal
revive reward ribbon rice riddle ride ridge rinse ripple risotto river roam roar robin robot
robust rock rocket rooftop rooster rope rosemary rosy rotor round rounders rowan rowing
royal rubber ruby rucksack rugby ruler rumble runway rural rush rust rustic rustle rye
saddle safe safety saffron saga sage sailboat sailing sailor salad salmon salsa salty sample
sand sandal sandwich sandy sapling sapphire satchel satin saucepan saucer saunter sausage
savvy scale scamper scarf scarlet scatter schedule scholar school science scoop scooter
score scramble screen screw scribble scrub sculptor scurry seagull seal search seashell
season second section sector secure seedling seesaw segment select sense sensor sentence
sequence serene series serve service sesame session settle sewing shadow shake shape share
shark sharp shawl sheep shelf shepherd shield shimmer shine shiny ship shirt shop shore
short shout shovel show shower shrimp shrub shuffle sierra sift signal silence silent
silicon silk silky silver simple sincere sing singer sink sit skate skating sketch ski
skiing skill skim skip skipping skirt skunk sky skyline slate sleek sleep slide slipper
slogan sloth slumber small smart smile smock smooth snail snappy snooker snow snowball
snowdrop snowman snug snuggle society sock socket sodium sofa soft soil solar solid solo
solution solve sonic sonnet sound soup space spade spanner spare sparkle sparrow speak
speedy spell sphere spicy spider spin spinach spinner spiral spirit splash sponge spoon
sport spot spotty spray spring sprinkle sprint sprout spruce square squash squawk squeak
squeeze squid squirrel stable stack stage stagger stamp stand standard stapler star starfish
starling start station statue status stay steady steamer steep steer step steppe stew sticky
stir stitch stoat stone stool storm stormy stove strategy stream street strength stretch
string stroll strong strum student studio study stumble sturdy subject subtle subway success
suede sugar suitcase summary summer summit summon sunbeam sunhat sunny sunset sunshine super
superb supper supply support sure surface surfing surgeon swallow swan swap sweater sweep
swift swim swimming swing swirl switch syrup system table tablet tackle taco tailor talent
talk tall tame tan tandem tango tank target task taste taxi teach teacher teacup teal
teamwork teapot teaspoon teddy tell temple tender tennis tent terrace terrier thank theme
theory thimble think thistle thought thrill throw thunder tiara ticket tidy tie tiger tile
timber tin tinker tiny tiptoe title toast toaster toffee token tomato toolbox topaz topic
topical topple toss total totter toucan touch tough tourist towel tower toy trace tractor
trade traffic train trainer tram tranquil travel tray treasure treetop tremble trend trendy
triangle trick trickle trip triumph trolley trophy tropic trot trout truck trudge true
truffle trumpet trusty try tuba tug tugboat tulip tumble tumbler tundra tune tunic tunnel
turbine turkey turnip turtle twig twin twinkle twirl twist type ultra umbrella umpire
uncover unfold uniform unique unit unite universe unlock unpack unwind upbeat update urban
use useful utensil valid valley value van vanilla variety vase vehicle velvet venture venue
verse version vest vet viaduct vibrate victory video view village violet violin virtue
vision visit visitor vital vivid voice volcano vole volume voyage vulture waddle waffle
wagon walk wallet walnut walrus waltz wand wander warble wardrobe warm wash wasp watch wavy
wealth weave website wedding wedge welcome wheat wheel whippet whirl whisk whisper whistle
white whizz wicker wide wiggle wild willow win wind windmill window wink winter wire wisdom
wish witty wizard wobble wok wombat wonder wool word work worth wreath wren writer yak yard
yawn year yellow yodel yoga young zany zebra zesty zigzag zip zone zoo zoom
"""
# fmt: on

#: The word list, in alphabetical order; exactly 2**11 words.
WORDS: Final[tuple[str, ...]] = tuple(_WORD_TEXT.split())

#: Bits of entropy in a passphrase of ``WORD_COUNT`` words (55.0).
ENTROPY_BITS: Final = WORD_COUNT * math.log2(len(WORDS))


def generate_passphrase(word_count: int = WORD_COUNT) -> str:
    """Return e.g. ``"otter-lantern-breeze-maple-parcel"``: random words from :data:`WORDS`.

    Each word is drawn with :func:`secrets.choice`, so every word (and so every
    passphrase) is equally likely; repeated words are allowed, because
    forbidding them would only lower the entropy.
    """
    if word_count < 4:
        # Four words is 44 bits; fewer is too easy to guess offline.
        raise ValueError("A passphrase needs at least four words.")
    return SEPARATOR.join(secrets.choice(WORDS) for _ in range(word_count))
